package dev.namegate.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.convert.DurationStyle;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.yaml.snakeyaml.Yaml;

import io.fabric8.kubernetes.api.model.ConfigMap;
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
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
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

    static Stream<Manifests> manifests() {
        return Stream.of(Manifests.base(), Manifests.overlay());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifests")
    void everyKindOperatorsNeedIsThereExactlyOnce(Manifests m) {
        for (Class<? extends io.fabric8.kubernetes.api.model.HasMetadata> kind : List.of(Deployment.class,
                Service.class, PodDisruptionBudget.class, HorizontalPodAutoscaler.class, NetworkPolicy.class,
                Ingress.class, ServiceAccount.class, ConfigMap.class)) {
            assertThat(m.all(kind)).as("%s %s", m, kind.getSimpleName()).hasSize(1);
        }
        assertThat(m.all(Secret.class)).as("keys Secret is the operator's, never applied from here").isEmpty();
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
        m.one(Ingress.class).getSpec().getRules().forEach(rule -> rule.getHttp().getPaths().forEach(p -> {
            assertThat(p.getBackend().getService().getName()).isEqualTo(service.getMetadata().getName());
            assertThat(service.getSpec().getPorts()).anyMatch(sp -> sp.getName().equals(p.getBackend().getService().getPort().getName()));
        }));
        assertThat(podSpec(m).getServiceAccountName()).isEqualTo(m.one(ServiceAccount.class).getMetadata().getName());
        assertThat(container(m).getEnvFrom()).anyMatch(e -> e.getConfigMapRef() != null
                && e.getConfigMapRef().getName().equals(m.one(ConfigMap.class).getMetadata().getName()));
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
        assertThat(jvm).contains("-XX:MaxRAMPercentage=", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                        "-Dspring.aot.enabled=true")
                .doesNotContain("-Xmx");
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
        m.one(ConfigMap.class).getData().forEach(KubernetesManifestsTest::assertLiteralIsNoSecret);

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
        assertThat(d.getSpec().getReplicas()).as("replicas from the first apply")
                .isGreaterThanOrEqualTo(3).isEqualTo(hpa.getSpec().getMinReplicas());
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
    void networkPolicyLetsInOnlyTheIngressAndMonitoringAndOutOnlyDnsAndTheInternalService(Manifests m) {
        var spec = m.one(NetworkPolicy.class).getSpec();
        assertThat(spec.getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        Map<String, String> fromByPort = spec.getIngress().stream().collect(Collectors.toMap(
                r -> single(r.getPorts()).getPort().getStrVal(), KubernetesManifestsTest::sourceNamespace));
        assertThat(fromByPort).containsExactlyInAnyOrderEntriesOf(Map.of("http", "ingress-nginx", "management", "monitoring"));

        assertThat(spec.getEgress()).hasSize(3);
        assertThat(spec.getEgress()).allSatisfy(r -> assertThat(r.getTo()).isNotEmpty());
        // the shared limit store: Redis pods, on the port of NAMEGATE_LIMITS_REDIS_URL
        int redisPort = java.net.URI.create(m.one(ConfigMap.class).getData().get("NAMEGATE_LIMITS_REDIS_URL")).getPort();
        assertThat(spec.getEgress()).anySatisfy(r -> {
            assertThat(single(r.getTo()).getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name", "redis");
            assertThat(r.getPorts()).extracting(p -> p.getPort().getIntVal()).contains(redisPort, 6380);
        });
        assertThat(spec.getEgress()).anySatisfy(r -> assertThat(r.getPorts()).extracting(p -> p.getPort().getIntVal())
                .containsOnly(53));
        // the internal service's rule allows the port of every INTERNAL_BASE_URL
        Set<Integer> urlPorts = Stream.of(m.one(ConfigMap.class).getData().get("INTERNAL_BASE_URL").split(","))
                .map(u -> java.net.URI.create(u.strip()).getPort()).collect(Collectors.toSet());
        assertThat(spec.getEgress()).anySatisfy(r -> assertThat(r.getPorts()).extracting(p -> p.getPort().getIntVal())
                .containsAll(urlPorts).doesNotContain(53));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifests")
    void ingressTerminatesTlsForEveryHost(Manifests m) {
        Ingress ingress = m.one(Ingress.class);
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
    void overlayEnforcesRestrictedOnItsNamespaceAndTrustsTheIngressAsProxy() {
        Manifests overlay = Manifests.overlay();
        Namespace ns = overlay.one(Namespace.class);
        assertThat(ns.getMetadata().getLabels()).containsEntry("pod-security.kubernetes.io/enforce", "restricted");
        assertThat(overlay.resources()).filteredOn(r -> !(r instanceof Namespace))
                .allMatch(r -> ns.getMetadata().getName().equals(r.getMetadata().getNamespace()));
        String proxies = overlay.one(ConfigMap.class).getData().get("NAMEGATE_LIMITS_TRUSTEDPROXIES");
        assertThat(proxies.split(",")).allMatch(cidr -> cidr.strip().matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}|[0-9a-fA-F:]+/\\d{1,3}"));
        assertThat(Manifests.base().one(ConfigMap.class).getData()).containsEntry("NAMEGATE_LIMITS_TRUSTEDPROXIES", "");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifests")
    void theSharedStoresSecretsAreFilesOfAnOptionalSecretAndTheStoreIsMemoryByDefault(Manifests m) {
        Map<String, String> config = m.one(ConfigMap.class).getData();
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
        Map<String, String> config = m.one(ConfigMap.class).getData();
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

        Optional<Manifests> rendered = Manifests.rendered(Manifests.REDIS_OVERLAY);
        rendered.ifPresent(r -> assertThat(r.resources()).containsExactlyElementsOf(m.resources()));
    }

    @Test
    void kubectlKustomizeRendersTheSameObjectsAsTheTestsMerge() {
        Optional<Manifests> rendered = Manifests.rendered(Manifests.OVERLAY);
        assumeTrue(rendered.isPresent(), "kubectl not installed");
        // typed equality: field by field, whatever the order kustomize writes keys in
        assertThat(rendered.get().resources()).containsExactlyElementsOf(Manifests.overlay().resources());
        assertThat(Manifests.rendered(Manifests.BASE).orElseThrow().resources()).hasSize(Manifests.base().resources().size());
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

    static String sourceNamespace(NetworkPolicyIngressRule rule) {
        var peer = single(rule.getFrom());
        assertThat(peer.getIpBlock()).isNull();
        assertThat(peer.getPodSelector()).isNull();
        return peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name");
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
