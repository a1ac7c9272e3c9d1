package dev.namegate.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.springframework.web.server.WebFilter;

import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import dev.namegate.web.NamedWebFilter;

/**
 * The arrows between packages point one way, and every WebFilter carries a name made once
 * ({@link NamedWebFilter}). Every package is its own slice, sub-packages included, so a cycle
 * between {@code upstream.client} and {@code upstream.retry} fails as much as one between
 * {@code api} and {@code auth}. Spring AOT's generated classes are left out: they
 * wire every package together by design.
 */
@AnalyzeClasses(packages = "dev.namegate", importOptions = {ImportOption.DoNotIncludeTests.class,
        PackageArchitectureTest.NotGenerated.class})
class PackageArchitectureTest {

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("dev.namegate.(**)").should().beFreeOfCycles();

    /** The shared web pieces (problems, request id, filter order) serve every feature and know none. */
    @ArchTest
    static final ArchRule webKnowsNoFeature = noClasses().that().resideInAPackage("dev.namegate.web..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.namegate.api..", "dev.namegate.auth..",
                    "dev.namegate.limits..", "dev.namegate.cache..", "dev.namegate.upstream..",
                    "dev.namegate.overload..");

    /** The internal service's client knows nothing of the public API in front of it. */
    @ArchTest
    static final ArchRule upstreamKnowsNoPublicApi = noClasses().that().resideInAPackage("dev.namegate.upstream..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.namegate.api..", "dev.namegate.auth..",
                    "dev.namegate.limits..", "dev.namegate.cache..", "dev.namegate.web..");

    /** Nothing but the application itself depends on the public API's routes and handler. */
    @ArchTest
    static final ArchRule nothingDependsOnTheApi = noClasses().that().resideOutsideOfPackages("dev.namegate.api..",
            "dev.namegate").should().dependOnClassesThat().resideInAPackage("dev.namegate.api..");

    /** WebFlux asks every filter for its {@code toString} on every request: ours answer with a name made once. */
    @ArchTest
    static final ArchRule everyWebFilterIsNamed = classes().that().implement(WebFilter.class).and().areNotInterfaces()
            .and().doNotHaveModifier(JavaModifier.ABSTRACT).should().beAssignableTo(NamedWebFilter.class);

    /** Leaves out Spring AOT's bean definitions ({@code Foo__BeanDefinitions} and the like). */
    static final class NotGenerated implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("__");
        }
    }
}
