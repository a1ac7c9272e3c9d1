package dev.namegate.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.yaml.snakeyaml.Yaml;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The manifests under {@code k8s/} as typed fabric8 objects: a kustomization's resources, or
 * the overlay rendered by a minimal kustomize (namespace, labels, images, patches merged as
 * maps with lists replaced, which is what strategic merge does for the fields our patches
 * touch), or the real {@code kubectl kustomize} output when kubectl is installed.
 */
record Manifests(String source, List<HasMetadata> resources) {

    static final Path K8S = Path.of("k8s");
    static final Path BASE = K8S.resolve("base");
    static final Path OVERLAY = K8S.resolve("overlays/example");
    static final Path REDIS_OVERLAY = K8S.resolve("overlays/redis");
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

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> kustomize(Path dir) {
        Map<String, Object> k = map(load(dir.resolve("kustomization.yaml")));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object r : list(k.get("resources"))) {
            Path p = dir.resolve((String) r).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(kustomize(p));
            } else {
                out.add(map(load(p)));
            }
        }
        for (Object l : list(k.get("labels"))) {
            Map<String, Object> pairs = map(map(l).get("pairs"));
            out.forEach(res -> map(map(res.get("metadata")).computeIfAbsent("labels", x -> new LinkedHashMap<>()))
                    .putAll(pairs));
        }
        for (Object p : list(k.get("patches"))) {
            Map<String, Object> patch = map(load(dir.resolve((String) map(p).get("path"))));
            Map<String, Object> target = out.stream().filter(res -> sameObject(res, patch)).findFirst()
                    .orElseThrow(() -> new AssertionError("patch " + p + " matches no resource"));
            merge(target, patch);
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
        return out;
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
        try {
            return new Yaml().load(Files.readString(file));
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
