package dev.namegate.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.Yaml;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The manifests under {@code k8s/} as typed fabric8 objects, rendered by a minimal kustomize
 * (resources, components, configMapGenerator from env files and files, namespace, labels,
 * images, patches merged as maps with lists replaced, which is what strategic merge does for the
 * fields our patches touch, or deleting), or the real {@code kubectl kustomize} output when
 * kubectl is installed. Objects without a fabric8 model (the Prometheus Operator's) are
 * {@code GenericKubernetesResource}s.
 */
record Manifests(String source, List<HasMetadata> resources) {

    static final Path K8S = Path.of("k8s");
    static final Path BASE = K8S.resolve("base");
    static final Path OVERLAYS = K8S.resolve("overlays");
    static final Path OVERLAY = OVERLAYS.resolve("example");
    static final Path INGRESS_OVERLAY = OVERLAYS.resolve("example-ingress");
    static final Path MONITORING = K8S.resolve("components/monitoring");
    static final Path DASHBOARD = MONITORING.resolve("namegate-dashboard.json");
    static final Path RULES = MONITORING.resolve("prometheusrule.yaml");
    static final Path REDIS_OVERLAY = OVERLAYS.resolve("redis");
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    @Override
    public String toString() {
        return source;
    }

    static Manifests base() {
        return new Manifests("base", typed(kustomize(BASE)));
    }

    static Manifests overlay() {
        return new Manifests("overlay (merged by the test)", typed(kustomize(OVERLAY)));
    }

    static Manifests ingressOverlay() {
        return new Manifests("Ingress overlay (merged by the test)", typed(kustomize(INGRESS_OVERLAY)));
    }

    /** The example environment with the shared limit store and its Redis. */
    static Manifests redisOverlay() {
        return new Manifests("redis overlay (merged by the test)", typed(kustomize(REDIS_OVERLAY)));
    }

    <T extends HasMetadata> T named(Class<T> type, String name) {
        return all(type).stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(source + ": no " + type.getSimpleName() + " " + name));
    }

    /** {@code kubectl kustomize dir}, or empty when kubectl is not installed. */
    static Optional<Manifests> rendered(Path dir) {
        Path kubectl = Path.of("/usr/bin/kubectl");
        if (!Files.isExecutable(kubectl)) {
            return Optional.empty();
        }
        try {
            Process p = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("kubectl kustomize " + dir + " failed");
            }
            List<Map<String, Object>> docs = new ArrayList<>();
            for (Object doc : new Yaml().loadAll(out)) {
                docs.add(map(doc));
            }
            return Optional.of(new Manifests("overlay (kubectl kustomize)", typed(docs)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    <T extends HasMetadata> T one(Class<T> type) {
        List<T> all = all(type);
        if (all.size() != 1) {
            throw new AssertionError(source + ": expected one " + type.getSimpleName() + ", found " + all.size());
        }
        return all.get(0);
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return resources.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T> T parseFile(Path file, Class<T> type) {
        try {
            return SERIALIZATION.unmarshal(Files.readString(file), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- the minimal kustomize ------------------------------------------------------------

    /** Marks a generated ConfigMap whose name gets a content hash once everything is merged. */
    private static final String HASHED = "$hashed";
    private static final Pattern HASH_SUFFIX = Pattern.compile("-[a-z0-9]{10}\\b");

    /** The kustomization in {@code dir}, rendered: generated ConfigMaps named with a hash of their content. */
    static List<Map<String, Object>> kustomize(Path dir) {
        List<Map<String, Object>> out = build(dir);
        for (Map<String, Object> res : out) {
            if (res.remove(HASHED) != null) {
                Map<String, Object> metadata = map(res.get("metadata"));
                String name = (String) metadata.get("name");
                String hashed = name + "-" + contentHash(map(res.get("data")));
                metadata.put("name", hashed);
                out.forEach(user -> containers(user).forEach(c -> list(c.get("envFrom")).stream().map(Manifests::map)
                        .map(e -> map(e.get("configMapRef"))).filter(ref -> ref != null && name.equals(ref.get("name")))
                        .forEach(ref -> ref.put("name", hashed))));
            }
        }
        return out;
    }

    /**
     * A generated name's hash replaced by a fixed text: kustomize's hash input is its own, so
     * only the rendered objects around it are compared with {@code kubectl kustomize}'s.
     */
    static String withoutNameHashes(String json) {
        return HASH_SUFFIX.matcher(json).replaceAll("-<hash>");
    }

    private static List<Map<String, Object>> build(Path dir) {
        List<Map<String, Object>> out = new ArrayList<>();
        apply(dir, out);
        return out;
    }

    /** What kustomize does in this order: resources, components, generators, then the transformers. */
    private static void apply(Path dir, List<Map<String, Object>> out) {
        Map<String, Object> k = map(load(dir.resolve("kustomization.yaml")));
        for (Object r : list(k.get("resources"))) {
            Path p = dir.resolve((String) r).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(build(p));
            } else {
                out.add(map(load(p)));
            }
        }
        for (Object c : list(k.get("components"))) {
            apply(dir.resolve((String) c).normalize(), out);
        }
        for (Object g : list(k.get("configMapGenerator"))) {
            generate(dir, map(g), out);
        }
        for (Object l : list(k.get("labels"))) {
            Map<String, Object> pairs = map(map(l).get("pairs"));
            out.forEach(res -> labels(res).putAll(pairs));
        }
        for (Object p : list(k.get("patches"))) {
            Map<String, Object> patch = map(load(dir.resolve((String) map(p).get("path"))));
            Map<String, Object> target = out.stream().filter(res -> sameObject(res, patch)).findFirst()
                    .orElseThrow(() -> new AssertionError("patch " + p + " matches no resource"));
            if ("delete".equals(patch.get("$patch"))) {
                out.remove(target);
            } else {
                merge(target, patch);
            }
        }
        for (Object i : list(k.get("images"))) {
            Map<String, Object> image = map(i);
            for (Map<String, Object> res : out) {
                containers(res).forEach(c -> {
                    String name = ((String) c.get("image")).replaceFirst(":[^:/]+$", "");
                    if (name.equals(image.get("name"))) {
                        c.put("image", image.getOrDefault("newName", name) + ":" + image.get("newTag"));
                    }
                });
            }
        }
        if (k.get("namespace") instanceof String ns) {
            out.stream().filter(res -> !"Namespace".equals(res.get("kind")))
                    .forEach(res -> map(res.get("metadata")).put("namespace", ns));
        }
    }

    /** A configMapGenerator entry: envs and files, created or merged over one generated before. */
    private static void generate(Path dir, Map<String, Object> generator, List<Map<String, Object>> out) {
        String name = (String) generator.get("name");
        Map<String, Object> data = new LinkedHashMap<>();
        for (Object env : list(generator.get("envs"))) {
            read(dir.resolve((String) env)).lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .forEach(l -> data.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        }
        for (Object file : list(generator.get("files"))) {
            Path p = dir.resolve((String) file);
            data.put(p.getFileName().toString(), read(p));
        }
        Map<String, Object> options = generator.get("options") == null ? Map.of() : map(generator.get("options"));
        if ("merge".equals(generator.get("behavior"))) {
            Map<String, Object> base = out.stream().filter(res -> "ConfigMap".equals(res.get("kind"))
                    && name.equals(map(res.get("metadata")).get("name"))).findFirst()
                    .orElseThrow(() -> new AssertionError("configMapGenerator merges into no " + name));
            map(base.get("data")).putAll(data);
            return;
        }
        Map<String, Object> configMap = new LinkedHashMap<>();
        configMap.put("apiVersion", "v1");
        configMap.put("kind", "ConfigMap");
        configMap.put("metadata", new LinkedHashMap<>(Map.of("name", name)));
        configMap.put("data", data);
        if (options.get("labels") != null) {
            labels(configMap).putAll(map(options.get("labels")));
        }
        if (!Boolean.TRUE.equals(options.get("disableNameSuffixHash"))) {
            configMap.put(HASHED, true);
        }
        out.add(configMap);
    }

    /** Any hash of the content will do: what matters is that the name changes with the data. */
    private static String contentHash(Map<String, Object> data) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256")
                    .digest(SERIALIZATION.asJson(new TreeMap<>(data)).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> labels(Map<String, Object> res) {
        return map(map(res.get("metadata")).computeIfAbsent("labels", x -> new LinkedHashMap<>()));
    }

    private static List<Map<String, Object>> containers(Map<String, Object> res) {
        if (!"Deployment".equals(res.get("kind"))) {
            return List.of();
        }
        Map<String, Object> podSpec = map(map(map(res.get("spec")).get("template")).get("spec"));
        return list(podSpec.get("containers")).stream().map(Manifests::map).toList();
    }

    private static boolean sameObject(Map<String, Object> a, Map<String, Object> b) {
        return a.get("kind").equals(b.get("kind"))
                && map(a.get("metadata")).get("name").equals(map(b.get("metadata")).get("name"));
    }

    /** Maps merge key by key; anything else (lists included) is replaced. */
    private static void merge(Map<String, Object> target, Map<String, Object> patch) {
        patch.forEach((key, value) -> {
            if (value instanceof Map<?, ?> && target.get(key) instanceof Map<?, ?>) {
                merge(map(target.get(key)), map(value));
            } else {
                target.put(key, value);
            }
        });
    }

    private static List<HasMetadata> typed(List<Map<String, Object>> docs) {
        // snakeyaml reads YAML 1.1 (0440 is octal) like kubectl does; fabric8 then reads JSON.
        return docs.stream()
                .map(d -> (HasMetadata) SERIALIZATION.unmarshal(SERIALIZATION.asJson(d)))
                .sorted(Comparator.comparing((HasMetadata h) -> h.getKind()).thenComparing(h -> h.getMetadata().getName()))
                .toList();
    }

    private static Object load(Path file) {
        return new Yaml().load(read(file));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }
}
