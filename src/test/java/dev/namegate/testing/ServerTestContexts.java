package dev.namegate.testing;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.test.annotation.DirtiesContext.HierarchyMode;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.support.AbstractTestExecutionListener;
import org.springframework.test.context.support.TestPropertySourceUtils;
import org.springframework.util.ReflectionUtils;

/**
 * The contexts of {@link ServerTest}s: each points at its class's {@link MockUpstream} and the test
 * keys file, and is closed after its class unless the upstream is shared. Two classes get the same
 * cached context only when their upstream is the same server (and everything else is equal).
 */
public final class ServerTestContexts implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass, List<ContextConfigurationAttributes> attributes) {
        return new UpstreamAndKeys(upstreamOf(testClass));
    }

    /** The class's static {@link MockUpstream}, or {@code null}. */
    static MockUpstream upstreamOf(Class<?> testClass) {
        MockUpstream found = null;
        for (Class<?> c = testClass; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) && field.getType() == MockUpstream.class) {
                    if (found != null) {
                        throw new IllegalStateException(testClass.getName() + ": one static MockUpstream per server test");
                    }
                    ReflectionUtils.makeAccessible(field);
                    found = (MockUpstream) ReflectionUtils.getField(field, null);
                }
            }
        }
        return found;
    }

    /**
     * {@code namegate.upstream.base-urls} and {@code namegate.auth.keys-file}, below the test's own
     * {@code @TestPropertySource} and {@code @DynamicPropertySource} settings (a class with keys of its
     * own, or more instances, sets them there).
     */
    private static final class UpstreamAndKeys implements ContextCustomizer {
        private final MockUpstream upstream;

        UpstreamAndKeys(MockUpstream upstream) {
            this.upstream = upstream;
        }

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
            Map<String, Object> properties = new HashMap<>();
            properties.put("namegate.auth.keys-file", TestKeys.keysFile().toString());
            if (upstream != null) {
                properties.put("namegate.upstream.base-urls", upstream.baseUrl());
            }
            MapPropertySource source = new MapPropertySource("server test", properties);
            MutablePropertySources sources = context.getEnvironment().getPropertySources();
            String inlined = TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME;
            if (sources.contains(inlined)) {
                sources.addAfter(inlined, source);
            } else {
                sources.addFirst(source);
            }
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof UpstreamAndKeys that && Objects.equals(identity(), that.identity());
        }

        @Override
        public int hashCode() {
            return Objects.hashCode(identity());
        }

        private Object identity() {
            return upstream == null ? null : upstream.identity();
        }
    }

    /** Closes the context after its class, unless its upstream, and so the context, is shared. */
    public static final class CloseAfterClass extends AbstractTestExecutionListener {
        @Override
        public void afterTestClass(TestContext testContext) {
            MockUpstream upstream = upstreamOf(testContext.getTestClass());
            if (upstream == null || !upstream.isShared()) {
                testContext.markApplicationContextDirty(HierarchyMode.EXHAUSTIVE);
            }
        }
    }
}
