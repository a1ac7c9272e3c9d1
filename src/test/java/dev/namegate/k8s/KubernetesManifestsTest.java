package dev.namegate.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.reflect.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationStyle;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.yaml.snakeyaml.Yaml;

import dev.namegate.bench.OperatorTraffic;
import dev.namegate.upstream.UpstreamProperties;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

/**
 * What operators get from {@code k8s/}: base and overlay parsed as typed objects, checked for
 * what kube-score, kube-linter, Polaris and the Pod Security "restricted" profile look at, and
 * for agreement with each other, with application.yaml and with the image built by pom.xml.
 */
class KubernetesManifestsTest {

    static final Map<String, Object> APPLICATION = appConfig();
    static final Pattern API_KEY = Pattern.compile("ng_[A-Za-z0-9]{36}");
    static final Pattern SHA256 = Pattern.compile("\\b[0-9a-f]{64}\\b");
    static final String CONFIG_MAP = "namegate-config";
    /** The label the overlay's Gateway gives its proxy pods, and the NetworkPolicy lets in. */
    static final Map<String, String> GATEWAY_POD_LABELS = Map.of("namegate.dev/gateway", "namegate");

    static Stream<Manifests> manifests() {
        return Stream.of(Manifests.base(), Manifests.overlay(), Manifests.ingressOverlay());
    }

    /** The manifests that route through the Gateway API (the Ingress option has no HTTPRoute). */
    static Stream<Manifests> routed() {
        return Stream.of(Manifests.base(), Manifests.overlay());
    }

    /** The overlays, which add the monitoring component to the base. */
    static Stream<Manifests> monitored() {
        return Stream.of(Manifests.overlay(), Manifests.ingressOverlay());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifests")
    void everyKindOperatorsNeedIsThereExactlyOnce(Manifests m) {
        for (Class<? extends io.fabric8.kubernetes.api.model.HasMetadata> kind : List.of(Deployment.class,
                Service.class, PodDisruptionBudget.class, HorizontalPodAutoscaler.class, NetworkPolicy.class,
                ServiceAccount.class)) {
            assertThat(m.all(kind)).as("%s %s", m, kind.getSimpleName()).hasSize(1);
        }
        assertThat(config(m)).isNotNull();
        assertThat(m.all(Secret.class)).as("keys Secret is the operator's, never applied from here").isEmpty();
        // one way in: the Gateway API route, or the Ingress option instead of it
        boolean ingress = viaIngress(m);
        assertThat(m.all(Ingress.class)).hasSize(ingress ? 1 : 0);
        assertThat(m.all(HTTPRoute.class)).filteredOn(r -> r.getMetadata().getName().equals("namegate"))
                .hasSize(ingress ? 0 : 1);
        if (!m.source().equals("base")) {
            assertThat(m.resources()).extracting(HasMetadata::getKind).contains("ServiceMonitor", "PrometheusRule");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifests")
    void labelsAndSelectorsAgreeAcrossDeploymentServicePdbHpaAndNetworkPolicy(Manifests m) {
        Deployment deployment = m.one(Deployment.class);
        Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();
        assertThat(selector).isNotEmpty();
        assertThat(deployment.getSpec().getSelector().getMatchExpressions()).isNullOrEmpty();
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(selector);

        assertThat(m.one(Service.class).getSpec().getSelector()).isEqualTo(selector);
        assertThat(m.one(PodDisruptionBudget.class).getSpec().getSelector().getMatchLabels()).isEqualTo(selector);
        assertThat(m.one(NetworkPolicy.class).getSpec().getPodSelector().getMatchLabels()).isEqualTo(selector);
        podSpec(m).getTopologySpreadConstraints()
                .forEach(t -> assertThat(t.getLabelSelector().getMatchLabels()).isEqualTo(selector));

        var target = m.one(HorizontalPodAutoscaler.class).getSpec().getScaleTargetRef();
        assertThat(target.getKind()).isEqualTo("Deployment");
        assertThat(target.getApiVersion()).isEqualTo("apps/v1");
        assertThat(target.getName()).isEqualTo(deployment.getMetadata().getName());

        Service service = m.one(Service.class);
        m.all(Ingress.class).forEach(ingress -> ingress.getSpec().getRules().forEach(rule -> rule.getHttp().getPaths().forEach(p -> {
            assertThat(p.getBackend().getService().getName()).isEqualTo(service.getMetadata().getName());
            assertThat(service.getSpec().getPorts()).anyMatch(sp -> sp.getName().equals(p.getBackend().getService().getPort().getName()));
        })));
        apiRoute(m).ifPresent(route -> route.getSpec().getRules().forEach(rule -> assertThat(rule.getBackendRefs())
                .singleElement().satisfies(ref -> {
                    assertThat(ref.getName()).isEqualTo(service.getMetadata().getName());
                    assertThat(service.getSpec().getPorts()).anyMatch(sp -> sp.getName().equals("http")
                            && sp.getPort().equals(ref.getPort()));
                })));
        assertThat(podSpec(m).getServiceAccountName()).isEqualTo(m.one(ServiceAccount.class).getMetadata().getName());
        assertThat(container(m).getEnvFrom()).anyMatch(e -> e.getConfigMapRef() != null
                && e.getConfigMapRef().getName().equals(config(m).getMetadata().getName()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifests")
    void portsInProbesServicesAndPoliciesAreTheContainersNamedPortsAndTheApplicationsPorts(Manifests m) {
        Container c = container(m);
        Map<String, Integer> ports = c.getPorts().stream()
                .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
        assertThat(ports).containsOnlyKeys("http", "management");
        // the application's defaults and the env the Deployment sets agree with the container ports
        assertThat(ports.get("http")).isEqualTo(defaultOf("server.port")).isEqualTo(Integer.parseInt(env(c, "SERVER_PORT")));
        assertThat(ports.get("management")).isEqualTo(defaultOf("management.server.port"))
                .isEqualTo(Integer.parseInt(env(c, "MANAGEMENT_SERVER_PORT")));

        for (Probe probe : List.of(c.getStartupProbe(), c.getReadinessProbe(), c.getLivenessProbe())) {
            assertThat(probe.getHttpGet().getPort().getStrVal()).as("probes on the main port, by name").isEqualTo("http");
        }
        m.one(Service.class).getSpec().getPorts().forEach(sp -> {
            assertThat(sp.getTargetPort().getStrVal()).as("Service targetPort by name").isIn(ports.keySet());
            assertThat(sp.getName()).isNotBlank();
        });
        m.one(NetworkPolicy.class).getSpec().getIngress().forEach(rule -> rule.getPorts()
                .forEach(p -> assertThat(p.getPort().getStrVal()).isIn(ports.keySet())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifests")
    void probesUseTheMainPortsHealthPathsAndDiffer(Manifests m) {
        Container c = container(m);
        assertThat(path(c.getReadinessProbe())).isEqualTo("/readyz");
        assertThat(path(c.getLivenessProbe())).isEqualTo("/livez");
        assertThat(path(c.getStartupProbe())).isIn("/livez", "/readyz");
        assertThat(c.getReadinessProbe()).isNotEqualTo(c.getLivenessProbe());
        assertThat(c.getStartupProbe().getFailureThreshold() * c.getStartupProbe().getPeriodSeconds())
                .as("seconds a slow JVM start may take").isGreaterThanOrEqualTo(30);
        assertThat(APPLICATION).extracting(a -> at(a, "management.endpoint.health.probes.add-additional-paths")).isEqualTo(true);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifests")
    void podMeetsTheRestrictedPodSecurityProfile(Manifests m) {
        PodSpec pod = podSpec(m);
        var psc = pod.getSecurityContext();
        assertThat(psc.getRunAsNonRoot()).isTrue();
        assertThat(psc.getRunAsUser()).isGreaterThan(10000L);
        assertThat(psc.getRunAsGroup()).isGreaterThan(10000L);
        assertThat(psc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getHostNetwork()).isNotEqualTo(true);
        assertThat(pod.getHostPID()).isNotEqualTo(true);
        assertThat(pod.getHostIPC()).isNotEqualTo(true);
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(m.one(ServiceAccount.class).getAutomountServiceAccountToken()).isFalse();
        for (Volume v : pod.getVolumes()) {
            assertThat(v.getHostPath()).as("volume %s", v.getName()).isNull();
            assertThat(v.getSecret() != null || v.getEmptyDir() != null || v.getConfigMap() != null
                    || v.getProjected() != null).as("restricted volume type: %s", v.getName()).isTrue();
        }
        for (Container c : allContainers(pod)) {
            var sc = c.getSecurityContext();
            assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
            assertThat(sc.getPrivileged()).isNotEqualTo(true);
            assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
            assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
            assertThat(sc.getRunAsNonRoot()).isNotEqualTo(false);
            assertThat(Optional.ofNullable(sc.getRunAsUser()).orElse(psc.getRunAsUser())).isEqualTo(psc.getRunAsUser());
            assertThat(sc.getSeccompProfile() == null ? "RuntimeDefault" : sc.getSeccompProfile().getType())
                    .isEqualTo("RuntimeDefault");
            assertThat(c.getPorts()).allMatch(p -> p.getHostPort() == null);
        }
        // read-only root: /tmp is a volume
        Volume tmp = volumeMountedAt(pod, container(m), "/tmp");
        assertThat(tmp.getEmptyDir()).isNotNull();
        assertThat(tmp.getEmptyDir().getSizeLimit()).isNotNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifests")
    void resourcesHaveCpuAndMemoryRequestsAndAMemoryLimitButNoCpuLimit(Manifests m) {
        for (Container c : allContainers(podSpec(m))) {
            Map<String, Quantity> requests = c.getResources().getRequests();
            Map<String, Quantity> limits = c.getResources().getLimits();
            assertThat(requests).containsKeys("cpu", "memory", "ephemeral-storage");
            assertThat(limits).containsKeys("memory", "ephemeral-storage");
            assertThat(limits).as("no CPU limit on purpose: CFS throttling vs the 100 ms budget").doesNotContainKey("cpu");
            assertThat(Quantity.getAmountInBytes(limits.get("memory")))
                    .isGreaterThanOrEqualTo(Quantity.getAmountInBytes(requests.get("memory")));
        }
        String jvm = env(container(m), "JAVA_TOOL_OPTIONS");
        assertThat(jvm).contains("-XX:MaxRAMPercentage=", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=", "-XX:MaxTenuringThreshold=1",
                        "-XX:+UseTransparentHugePages", "-XX:+ExitOnOutOfMemoryError", "-Dspring.aot.enabled=true")
                .as("a collector that stops the pod for a whole collection of the old generation breaks the 100 ms budget")
                .doesNotContain("-Xmx", "-XX:+UseSerialGC", "-XX:+UseParallelGC");
        assertThat(jvm).as("G1's adaptive threshold came to mark without a break once the name cache turned over")
                .contains("-XX:-G1UseAdaptiveIHOP", "-XX:InitiatingHeapOccupancyPercent=");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifests")
    void apiKeysComeOnlyFromASecretDirectoryAndNoEnvCarriesASecret(Manifests m) {
        PodSpec pod = podSpec(m);
        Container c = container(m);
        for (Container any : allContainers(pod)) {
            assertThat(any.getEnvFrom()).allMatch(e -> e.getSecretRef() == null);
            for (EnvVar e : Optional.ofNullable(any.getEnv()).orElse(List.of())) {
                assertThat(e.getValueFrom() == null || e.getValueFrom().getSecretKeyRef() == null)
                        .as("env %s from a Secret", e.getName()).isTrue();
                assertLiteralIsNoSecret(e.getName(), e.getValue());
            }
        }
        config(m).getData().forEach(KubernetesManifestsTest::assertLiteralIsNoSecret);

        String keysFile = env(c, "API_KEYS_FILE");
        VolumeMount mount = c.getVolumeMounts().stream().filter(vm -> keysFile.startsWith(vm.getMountPath() + "/"))
                .findFirst().orElseThrow(() -> new AssertionError("API_KEYS_FILE is in no mounted volume"));
        assertThat(mount.getSubPath()).as("subPath mounts never see a rotated Secret").isNull();
        assertThat(mount.getSubPathExpr()).isNull();
        assertThat(mount.getReadOnly()).isTrue();
        Volume keys = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
        assertThat(keys.getSecret()).isNotNull();
        assertThat(keys.getSecret().getItems()).as("the whole Secret: items would pin file names").isNullOrEmpty();
        assertThat(keys.getSecret().getDefaultMode()).isEqualTo(0440);
        assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(pod.getSecurityContext().getRunAsGroup());

        Secret example = Manifests.parseFile(Manifests.K8S.resolve("examples/api-keys-secret.yaml"), Secret.class);
        assertThat(example.getMetadata().getName()).isEqualTo(keys.getSecret().getSecretName());
        String fileName = keysFile.substring(mount.getMountPath().length() + 1);
        assertThat(example.getStringData()).containsOnlyKeys(fileName);
        assertThat(example.getStringData().get(fileName).lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))).as("the example holds no usable key").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifests")
    void imagesArePinnedToATagNeverLatest(Manifests m) {
        for (Container c : allContainers(podSpec(m))) {
            String image = c.getImage();
            String afterRepo = image.substring(image.lastIndexOf('/') + 1);
            assertThat(afterRepo).as(image).matches("[^:@]+(:[A-Za-z0-9_.-]+)?(@sha256:[0-9a-f]{64})?")
                    .satisfiesAnyOf(s -> assertThat(s).contains(":"), s -> assertThat(s).contains("@sha256:"));
            assertThat(image).doesNotEndWith(":latest");
            assertThat(c.getImagePullPolicy()).isEqualTo("Always");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifests")
    void rolloutShutdownAndSpreadKeepEnoughReplicasAnswering(Manifests m) {
        Deployment d = m.one(Deployment.class);
        HorizontalPodAutoscaler hpa = m.one(HorizontalPodAutoscaler.class);
        assertThat(hpa.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(3);
        assertThat(d.getSpec().getReplicas()).as("the HPA owns the count: an apply must not reset it").isNull();
        assertThat(hpa.getSpec().getMaxReplicas()).isGreaterThan(hpa.getSpec().getMinReplicas());
        assertThat(hpa.getSpec().getMetrics()).singleElement().satisfies(metric -> {
            assertThat(metric.getResource().getName()).isEqualTo("cpu");
            assertThat(metric.getResource().getTarget().getAverageUtilization()).isBetween(30, 90);
        });
        assertThat(d.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString(0));
        assertThat(m.one(PodDisruptionBudget.class).getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));

        PodSpec pod = podSpec(m);
        assertThat(pod.getTopologySpreadConstraints()).extracting(t -> t.getTopologyKey())
                .containsExactlyInAnyOrder("kubernetes.io/hostname", "topology.kubernetes.io/zone");
        assertThat(pod.getTopologySpreadConstraints()).allMatch(t -> t.getWhenUnsatisfiable().equals("ScheduleAnyway"));

        var preStop = container(m).getLifecycle().getPreStop();
        assertThat(preStop.getExec()).as("no shell in the image").isNull();
        long pause = preStop.getSleep().getSeconds();
        assertThat(pause).isBetween(3L, 20L);
        Duration phase = DurationStyle.detectAndParse((String) at(APPLICATION, "spring.lifecycle.timeout-per-shutdown-phase"));
        assertThat(at(APPLICATION, "server.shutdown")).isEqualTo("graceful");
        assertThat(pod.getTerminationGracePeriodSeconds()).as("grace > preStop pause + shutdown phase")
                .isGreaterThan(pause + phase.toSeconds());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifests")
    void networkPolicyLetsInOnlyTheGatewaysPodsAndMonitoringAndOutOnlyDnsAndTheInternalService(Manifests m) {
        var spec = m.one(NetworkPolicy.class).getSpec();
        assertThat(spec.getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        Map<String, NetworkPolicyPeer> fromByPort = spec.getIngress().stream().collect(Collectors.toMap(
                r -> single(r.getPorts()).getPort().getStrVal(), r -> single(r.getFrom())));
        assertThat(fromByPort).containsOnlyKeys("http", "management");
        fromByPort.values().forEach(peer -> assertThat(peer.getIpBlock()).isNull());
        // the public port: the gateway's pods by a label, in no namespace named here
        NetworkPolicyPeer gateway = fromByPort.get("http");
        assertThat(gateway.getNamespaceSelector()).isNull();
        assertThat(gateway.getPodSelector().getMatchLabels()).isEqualTo(GATEWAY_POD_LABELS);
        assertThat(fromByPort.get("management").getPodSelector()).isNull();
        assertThat(fromByPort.get("management").getNamespaceSelector().getMatchLabels())
                .containsExactly(Map.entry("kubernetes.io/metadata.name", "monitoring"));

        assertThat(spec.getEgress()).hasSize(3);
        assertThat(spec.getEgress()).allSatisfy(r -> assertThat(r.getTo()).isNotEmpty());
        // the shared limit store: Redis pods, on the port of NAMEGATE_LIMITS_REDIS_URL
        int redisPort = java.net.URI.create(config(m).getData().get("NAMEGATE_LIMITS_REDIS_URL")).getPort();
        assertThat(spec.getEgress()).anySatisfy(r -> {
            assertThat(single(r.getTo()).getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name", "redis");
            assertThat(r.getPorts()).extracting(p -> p.getPort().getIntVal()).contains(redisPort, 6380);
        });
        assertThat(spec.getEgress()).anySatisfy(r -> assertThat(r.getPorts()).extracting(p -> p.getPort().getIntVal())
                .containsOnly(53));
        // the internal service's rule allows the port of every INTERNAL_BASE_URL
        Set<Integer> urlPorts = Stream.of(config(m).getData().get("INTERNAL_BASE_URL").split(","))
                .map(u -> java.net.URI.create(u.strip()).getPort()).collect(Collectors.toSet());
        assertThat(spec.getEgress()).anySatisfy(r -> assertThat(r.getPorts()).extracting(p -> p.getPort().getIntVal())
                .containsAll(urlPorts).doesNotContain(53));
    }

    @Test
    void theOverlaysGatewayTerminatesTlsForTheRoutesHostsAndLabelsItsPodsForTheNetworkPolicy() {
        Manifests overlay = Manifests.overlay();
        Gateway gateway = overlay.one(Gateway.class);
        assertThat(gateway.getSpec().getInfrastructure().getLabels()).containsAllEntriesOf(GATEWAY_POD_LABELS);
        assertThat(gateway.getMetadata().getAnnotations()).containsKey("cert-manager.io/cluster-issuer");
        Map<String, Listener> listeners = gateway.getSpec().getListeners().stream()
                .collect(Collectors.toMap(Listener::getName, l -> l));
        Listener https = listeners.get("https");
        assertThat(https.getProtocol()).isEqualTo("HTTPS");
        assertThat(https.getTls().getMode()).isEqualTo("Terminate");
        assertThat(https.getTls().getCertificateRefs()).singleElement().satisfies(ref -> assertThat(ref.getName()).isNotBlank());

        HTTPRoute api = apiRoute(overlay).orElseThrow();
        assertThat(api.getSpec().getParentRefs()).singleElement().satisfies(parent -> {
            assertThat(parent.getName()).isEqualTo(gateway.getMetadata().getName());
            assertThat(parent.getSectionName()).as("the API only over TLS").isEqualTo("https");
        });
        assertThat(api.getSpec().getHostnames()).containsExactly(https.getHostname());
        // plain HTTP only redirects to HTTPS
        HTTPRoute plain = overlay.all(HTTPRoute.class).stream().filter(r -> r != api).collect(Collectors.collectingAndThen(
                Collectors.toList(), KubernetesManifestsTest::single));
        assertThat(single(plain.getSpec().getParentRefs()).getSectionName()).isEqualTo("http");
        assertThat(listeners.get("http").getProtocol()).isEqualTo("HTTP");
        assertThat(single(plain.getSpec().getRules()).getBackendRefs()).isNullOrEmpty();
        var redirect = single(single(plain.getSpec().getRules()).getFilters()).getRequestRedirect();
        assertThat(redirect.getScheme()).isEqualTo("https");
        assertThat(redirect.getStatusCode()).isEqualTo(301);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routed")
    void theRoutesTimeoutsBackTheBudgetUpWithoutCuttingTheServicesOwnAnswersShort(Manifests m) {
        HTTPRouteRule rule = single(apiRoute(m).orElseThrow().getSpec().getRules());
        Duration request = gatewayDuration(rule.getTimeouts().getRequest());
        Duration backendRequest = gatewayDuration(rule.getTimeouts().getBackendRequest());
        Duration deadline = defaultDeadline();
        Duration budget = Duration.ofMillis(100);
        assertThat(backendRequest).as("above the budget the service answers within, deadline %s", deadline)
                .isGreaterThan(budget).isGreaterThan(deadline);
        assertThat(request).isGreaterThanOrEqualTo(backendRequest).isLessThanOrEqualTo(budget.multipliedBy(2));
        assertThat(rule.getFilters()).anySatisfy(f -> assertThat(f.getResponseHeaderModifier().getSet())
                .anySatisfy(h -> assertThat(h.getName()).isEqualTo("Strict-Transport-Security")));
    }

    @Test
    void theIngressOptionTerminatesTlsForEveryHost() {
        Ingress ingress = Manifests.ingressOverlay().one(Ingress.class);
        Set<String> hosts = ingress.getSpec().getRules().stream().map(r -> r.getHost()).collect(Collectors.toSet());
        Set<String> tlsHosts = new HashSet<>();
        ingress.getSpec().getTls().forEach(t -> {
            tlsHosts.addAll(t.getHosts());
            assertThat(t.getSecretName()).isNotBlank();
        });
        assertThat(tlsHosts).containsAll(hosts);
        assertThat(ingress.getMetadata().getAnnotations()).containsKey("cert-manager.io/cluster-issuer");
        assertThat(ingress.getSpec().getIngressClassName()).isNotBlank();
    }

    @Test
    void aConfigChangeRenamesTheGeneratedConfigMapAndSoRollsTheDeployment() {
        Manifests base = Manifests.base();
        Manifests overlay = Manifests.overlay();
        String baseName = config(base).getMetadata().getName();
        String overlayName = config(overlay).getMetadata().getName();
        assertThat(baseName).matches(CONFIG_MAP + "-[a-z0-9]{10}");
        assertThat(overlayName).as("other data, other name").matches(CONFIG_MAP + "-[a-z0-9]{10}").isNotEqualTo(baseName);
        assertThat(Manifests.base().one(ConfigMap.class).getMetadata().getName()).as("the same data, the same name")
                .isEqualTo(baseName);
        for (Manifests m : List.of(base, overlay)) {
            assertThat(container(m).getEnvFrom()).extracting(e -> e.getConfigMapRef().getName())
                    .containsExactly(config(m).getMetadata().getName());
        }
        assertThat(config(overlay).getMetadata().getLabels()).containsAllEntriesOf(
                overlay.one(Deployment.class).getSpec().getSelector().getMatchLabels());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("monitored")
    void theBenchmarksProbeAndScrapeTheServiceAtTheClustersPeriods(Manifests m) {
        Container c = container(m);
        assertThat(Duration.ofSeconds(c.getReadinessProbe().getPeriodSeconds())).isEqualTo(OperatorTraffic.READINESS_PERIOD);
        assertThat(Duration.ofSeconds(c.getLivenessProbe().getPeriodSeconds())).isEqualTo(OperatorTraffic.LIVENESS_PERIOD);
        Map<String, Object> endpoint = Manifests.map(single(Manifests.list(spec(m, "ServiceMonitor").get("endpoints"))));
        assertThat(DurationStyle.detectAndParse((String) endpoint.get("interval"))).isEqualTo(OperatorTraffic.SCRAPE_INTERVAL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("monitored")
    void prometheusScrapesTheManagementPortAndTheRulesAndDashboardShipWithIt(Manifests m) {
        Map<String, Object> serviceMonitor = spec(m, "ServiceMonitor");
        Service service = m.one(Service.class);
        assertThat(Manifests.map(Manifests.map(serviceMonitor.get("selector")).get("matchLabels")))
                .isEqualTo(new java.util.HashMap<>(service.getMetadata().getLabels()).entrySet().stream()
                        .filter(e -> e.getKey().startsWith("app.kubernetes.io/") && !e.getKey().endsWith("part-of"))
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        Map<String, Object> endpoint = Manifests.map(single(Manifests.list(serviceMonitor.get("endpoints"))));
        assertThat(endpoint.get("port")).isEqualTo("management");
        assertThat(service.getSpec().getPorts()).anyMatch(p -> p.getName().equals("management"));
        assertThat(endpoint.get("path")).isEqualTo("/actuator/prometheus");
        assertThat((String) at(APPLICATION, "management.endpoints.web.exposure.include")).contains("prometheus");

        List<String> alerts = Manifests.list(spec(m, "PrometheusRule").get("groups")).stream()
                .flatMap(g -> Manifests.list(Manifests.map(g).get("rules")).stream()).map(Manifests::map)
                .map(r -> (String) r.get("alert")).filter(java.util.Objects::nonNull).toList();
        assertThat(alerts).contains("NamegateErrorBudgetBurnFast", "NamegateErrorBudgetBurnHigh",
                "NamegateCircuitBreakerOpen", "NamegateUpstreamInstancesEjected", "NamegateLoadShedding",
                "NamegateUpstreamRateLimited", "NamegateKeysReloadFailed");

        ConfigMap dashboard = m.all(ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().equals("namegate-dashboard")).collect(Collectors.collectingAndThen(
                        Collectors.toList(), KubernetesManifestsTest::single));
        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(dashboard.getData()).containsOnlyKeys(Manifests.DASHBOARD.getFileName().toString());
    }

    @Test
    void overlayEnforcesRestrictedOnItsNamespaceAndTrustsTheGatewayAsProxy() {
        Manifests overlay = Manifests.overlay();
        Namespace ns = overlay.one(Namespace.class);
        assertThat(ns.getMetadata().getLabels()).containsEntry("pod-security.kubernetes.io/enforce", "restricted");
        assertThat(overlay.resources()).filteredOn(r -> !(r instanceof Namespace))
                .allMatch(r -> ns.getMetadata().getName().equals(r.getMetadata().getNamespace()));
        for (Manifests m : List.of(overlay, Manifests.ingressOverlay())) {
            String proxies = config(m).getData().get("NAMEGATE_LIMITS_TRUSTEDPROXIES");
            assertThat(proxies.split(",")).allMatch(cidr -> cidr.strip().matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}|[0-9a-fA-F:]+/\\d{1,3}"));
        }
        assertThat(config(Manifests.base()).getData()).containsEntry("NAMEGATE_LIMITS_TRUSTEDPROXIES", "");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifests")
    void theSharedStoresSecretsAreFilesOfAnOptionalSecretAndTheStoreIsMemoryByDefault(Manifests m) {
        Map<String, String> config = config(m).getData();
        assertThat(config).containsEntry("NAMEGATE_LIMITS_STORE", "memory");
        PodSpec pod = podSpec(m);
        for (String file : List.of("NAMEGATE_LIMITS_REDIS_PASSWORDFILE", "NAMEGATE_LIMITS_REDIS_IDKEYFILE")) {
            String path = config.get(file);
            VolumeMount mount = container(m).getVolumeMounts().stream()
                    .filter(vm -> path.startsWith(vm.getMountPath() + "/")).findFirst()
                    .orElseThrow(() -> new AssertionError(file + " is in no mounted volume"));
            assertThat(mount.getSubPath()).isNull();
            assertThat(mount.getReadOnly()).isTrue();
            Volume v = pod.getVolumes().stream().filter(x -> x.getName().equals(mount.getName())).findFirst().orElseThrow();
            assertThat(v.getSecret().getSecretName()).isEqualTo("namegate-redis");
            assertThat(v.getSecret().getOptional()).as("the memory store needs no Redis Secret").isTrue();
            Secret example = Manifests.parseFile(Manifests.K8S.resolve("examples/redis-secret.yaml"), Secret.class);
            assertThat(example.getMetadata().getName()).isEqualTo("namegate-redis");
            assertThat(example.getStringData()).containsKey(path.substring(mount.getMountPath().length() + 1));
            assertThat(example.getStringData().values()).as("the example holds no usable secret").containsOnly("");
        }
    }

    @Test
    void redisOverlaySharesTheLimitsThroughOneRedisThatOnlyNamegateReaches() {
        Manifests m = Manifests.redisOverlay();
        Map<String, String> config = config(m).getData();
        assertThat(config).containsEntry("NAMEGATE_LIMITS_STORE", "redis");
        java.net.URI url = java.net.URI.create(config.get("NAMEGATE_LIMITS_REDIS_URL"));
        Service service = m.named(Service.class, url.getHost());
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(url.getPort()));

        Deployment redis = m.named(Deployment.class, url.getHost());
        assertThat(redis.getSpec().getReplicas()).as("one Redis: a trial, not HA").isEqualTo(1);
        assertThat(redis.getSpec().getStrategy().getType()).as("never two Redis at once").isEqualTo("Recreate");
        assertThat(service.getSpec().getSelector()).isEqualTo(redis.getSpec().getSelector().getMatchLabels());
        PodSpec pod = redis.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        Container c = single(pod.getContainers());
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getArgs()).containsSequence("--requirepass", "$(REDIS_PASSWORD)")
                .containsSequence("--maxmemory-policy", "noeviction");
        assertThat(c.getEnv()).singleElement().satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName())
                .isEqualTo("namegate-redis"));
        assertThat(c.getResources().getLimits()).containsKey("memory").doesNotContainKey("cpu");

        var redisPolicy = m.named(NetworkPolicy.class, url.getHost()).getSpec();
        assertThat(redisPolicy.getPodSelector().getMatchLabels()).isEqualTo(redis.getSpec().getSelector().getMatchLabels());
        assertThat(redisPolicy.getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(redisPolicy.getEgress()).as("Redis calls nobody").isEmpty();
        assertThat(single(redisPolicy.getIngress()).getFrom()).singleElement().satisfies(peer -> assertThat(
                peer.getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name", "namegate"));
        var namegateEgress = m.named(NetworkPolicy.class, "namegate").getSpec().getEgress();
        assertThat(namegateEgress).anySatisfy(r -> {
            assertThat(single(r.getTo()).getPodSelector().getMatchLabels())
                    .isEqualTo(Map.of("app.kubernetes.io/name", "redis"));
            assertThat(r.getPorts()).extracting(p -> p.getPort().getIntVal()).contains(url.getPort());
        });
        assertThat(m.resources()).allMatch(r -> r instanceof Namespace || "namegate".equals(r.getMetadata().getNamespace()));
    }

    @Test
    void kubectlKustomizeRendersTheSameObjectsAsTheTestsMerge() {
        assumeTrue(Manifests.rendered(Manifests.BASE).isPresent(), "kubectl not installed");
        Map<Path, Manifests> merged = Map.of(Manifests.OVERLAY, Manifests.overlay(),
                Manifests.INGRESS_OVERLAY, Manifests.ingressOverlay(), Manifests.REDIS_OVERLAY, Manifests.redisOverlay());
        // field by field, whatever the order kustomize writes keys in; generated names' hashes aside
        merged.forEach((dir, m) -> {
            Map<String, HasMetadata> rendered = comparable(Manifests.rendered(dir).orElseThrow());
            Map<String, HasMetadata> ours = comparable(m);
            assertThat(rendered.keySet()).as("%s", dir).isEqualTo(ours.keySet());
            rendered.forEach((name, object) -> assertThat(object).as("%s %s", dir, name).isEqualTo(ours.get(name)));
        });
        assertThat(Manifests.rendered(Manifests.BASE).orElseThrow().resources()).hasSize(Manifests.base().resources().size());
    }

    @Test
    void kubectlKustomizeRendersEveryOverlay() throws IOException {
        assumeTrue(Manifests.rendered(Manifests.BASE).isPresent(), "kubectl not installed");
        try (Stream<Path> overlays = Files.list(Manifests.OVERLAYS)) {
            List<Path> dirs = overlays.filter(Files::isDirectory).sorted().toList();
            assertThat(dirs).contains(Manifests.OVERLAY, Manifests.INGRESS_OVERLAY);
            for (Path dir : dirs) {
                assertThat(Manifests.rendered(dir).orElseThrow().resources()).as("%s", dir).isNotEmpty();
            }
        }
    }

    @Test
    void imageRunsAsTheManifestsUserWithTheApplicationsMainClassAndNoJvmFlagsOfItsOwn() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document pom = factory.newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        Element jib = plugin(pom, "jib-maven-plugin");
        String user = text(jib, "user").replace("${image.user}", text(pom.getDocumentElement(), "image.user"));
        var psc = podSpec(Manifests.base()).getSecurityContext();
        assertThat(user).isEqualTo(psc.getRunAsUser() + ":" + psc.getRunAsGroup());
        assertThat(text(jib, "mainClass")).isEqualTo(dev.namegate.NamegateApplication.class.getName());
        assertThat(jib.getElementsByTagName("jvmFlags").getLength()).as("JVM flags live in JAVA_TOOL_OPTIONS only").isZero();
        assertThat(text(jib, "image")).as("base image pinned").matches("[a-z0-9./-]+:[A-Za-z0-9_.-]+(@sha256:[0-9a-f]{64})?")
                .doesNotContain(":latest");
    }

    // ---- helpers -------------------------------------------------------------------------

    static boolean viaIngress(Manifests m) {
        return m.source().startsWith("Ingress");
    }

    /** The generated ConfigMap the Deployment reads its environment from. */
    static ConfigMap config(Manifests m) {
        return single(m.all(ConfigMap.class).stream().filter(c -> c.getMetadata().getName().startsWith(CONFIG_MAP + "-"))
                .toList());
    }

    /** The route of the public API (the overlay adds one that only redirects plain HTTP). */
    static Optional<HTTPRoute> apiRoute(Manifests m) {
        return m.all(HTTPRoute.class).stream().filter(r -> r.getMetadata().getName().equals("namegate")).findFirst();
    }

    /** The {@code spec} of the one object of a kind fabric8 has no model for. */
    static Map<String, Object> spec(Manifests m, String kind) {
        return Manifests.map(single(m.resources().stream().filter(r -> r.getKind().equals(kind))
                .map(GenericKubernetesResource.class::cast).toList()).getAdditionalProperties().get("spec"));
    }

    /** The objects with their generated names' hashes replaced, as typed objects again (maps compare unordered). */
    static Map<String, HasMetadata> comparable(Manifests m) {
        return m.resources().stream().map(r -> (HasMetadata) Manifests.SERIALIZATION.unmarshal(
                Manifests.withoutNameHashes(Manifests.SERIALIZATION.asJson(r))))
                .collect(Collectors.toMap(r -> r.getKind() + "/" + r.getMetadata().getName(), r -> r));
    }

    /** A Gateway API duration (GEP-2257): {@code 1h}, {@code 150ms}, {@code 1s500ms}. */
    static Duration gatewayDuration(String text) {
        Matcher part = Pattern.compile("(\\d+)(h|ms|m|s)").matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (part.find() && part.start() == end) {
            long n = Long.parseLong(part.group(1));
            total = total.plus(switch (part.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMillis(n);
            });
            end = part.end();
        }
        assertThat(end).as("Gateway API duration %s", text).isEqualTo(text.length()).isPositive();
        return total;
    }

    /** {@code namegate.upstream.deadline}'s default, from the properties record itself. */
    static Duration defaultDeadline() {
        Parameter deadline = Stream.of(UpstreamProperties.class.getDeclaredConstructors())
                .flatMap(c -> Stream.of(c.getParameters())).filter(p -> p.getName().equals("deadline")).findFirst()
                .orElseThrow();
        return DurationStyle.detectAndParse(deadline.getAnnotation(DefaultValue.class).value()[0]);
    }

    static PodSpec podSpec(Manifests m) {
        return m.one(Deployment.class).getSpec().getTemplate().getSpec();
    }

    static Container container(Manifests m) {
        return single(podSpec(m).getContainers());
    }

    static List<Container> allContainers(PodSpec pod) {
        return Stream.concat(pod.getContainers().stream(),
                Optional.ofNullable(pod.getInitContainers()).orElse(List.of()).stream()).toList();
    }

    static String env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name)).getValue();
    }

    static String path(Probe probe) {
        HTTPGetAction get = probe.getHttpGet();
        return get.getPath();
    }

    static Volume volumeMountedAt(PodSpec pod, Container c, String path) {
        String name = c.getVolumeMounts().stream().filter(vm -> vm.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path)).getName();
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
    }

    static void assertLiteralIsNoSecret(String name, String value) {
        if (value == null) {
            return;
        }
        assertThat(value).as("%s holds a key", name).doesNotContainPattern(API_KEY).doesNotContainPattern(SHA256);
        if (name.matches("(?i).*(KEY|SECRET|TOKEN|PASSWORD|CREDENTIAL).*")) {
            // _FILE, or FILE for Spring's relaxed names (NAMEGATE_LIMITS_REDIS_PASSWORDFILE)
            assertThat(name).as("%s: a secret-like name may only carry a file path", name).endsWith("FILE");
            assertThat(value).startsWith("/");
        }
    }

    static <T> T single(List<T> list) {
        assertThat(list).hasSize(1);
        return list.get(0);
    }

    static Element plugin(Document pom, String artifactId) {
        var plugins = pom.getElementsByTagName("plugin");
        for (int i = 0; i < plugins.getLength(); i++) {
            Element p = (Element) plugins.item(i);
            if (artifactId.equals(text(p, "artifactId"))) {
                return p;
            }
        }
        throw new AssertionError("no plugin " + artifactId);
    }

    static String text(Element parent, String tag) {
        return parent.getElementsByTagName(tag).item(0).getTextContent().strip();
    }

    @SuppressWarnings("unchecked")
    static Object at(Map<String, Object> yaml, String dotted) {
        Object node = yaml;
        for (String key : dotted.split("\\.")) {
            node = ((Map<String, Object>) node).get(key);
        }
        return node;
    }

    /** The default of a {@code ${ENV:default}} placeholder in application.yaml. */
    static int defaultOf(String property) {
        String value = String.valueOf(at(APPLICATION, property));
        return Integer.parseInt(value.replaceFirst("^\\$\\{[A-Z_]+:(\\d+)}$", "$1"));
    }

    static Map<String, Object> appConfig() {
        try {
            return new Yaml().load(Files.readString(Path.of("src/main/resources/application.yaml")));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
