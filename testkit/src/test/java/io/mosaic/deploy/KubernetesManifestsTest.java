package io.mosaic.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PodMetricsEndpoint;
import io.mosaic.config.MosaicConfig;
import io.mosaic.pipeline.Mosaic;

/**
 * The Kubernetes manifests of deploy/k8s, checked without a cluster: {@code kubectl kustomize} renders the
 * base and the reference scenario's overlay; every document is read into the typed models of the fabric8
 * Kubernetes client (generated from the Kubernetes and Prometheus Operator API schemas) by a mapper that
 * rejects unknown fields, and the Mosaic container's security, probes, resources, monitoring, secrets and
 * configuration are checked. The configuration the pod would mount is run through
 * {@code mosaic validate --offline} with the environment the pod would get.
 * What this cannot see is said in deploy/k8s/README.md (no API server: no admission, no defaulting).
 */
class KubernetesManifestsTest {

    private static final String CONTAINER = "mosaic";
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?}");
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(PASSWORD|API_KEY|SECRET|TOKEN).*");

    /** Fails on any field the API schema does not have, even where the models would keep it aside. */
    private static final ObjectMapper STRICT = strictMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static Path repo;
    private static Rendered base;
    private static Rendered scenario;

    @TempDir
    static Path tmp;

    /** One kustomization's output: the documents as read, and as typed objects. */
    record Rendered(String name, List<JsonNode> documents, List<HasMetadata> objects) {

        <T extends HasMetadata> List<T> all(Class<T> type) {
            return objects.stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends HasMetadata> T one(Class<T> type) {
            List<T> found = all(type);
            assertThat(found).as(name + ": documents of kind " + type.getSimpleName()).hasSize(1);
            return found.get(0);
        }

        <T extends HasMetadata> T named(Class<T> type, String name) {
            return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError(this.name + ": no " + type.getSimpleName() + " named " + name));
        }

        /** The generated object whose name is {@code prefix} plus kustomize's hash suffix. */
        <T extends HasMetadata> T generated(Class<T> type, String prefix) {
            List<T> found = all(type).stream().filter(o -> o.getMetadata().getName().matches(Pattern.quote(prefix) + "-[a-z0-9]{10}")).toList();
            assertThat(found).as(name + ": generated " + type.getSimpleName() + " " + prefix + "-<hash>").hasSize(1);
            return found.get(0);
        }

        Container mosaic() {
            return one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().stream()
                    .filter(c -> c.getName().equals(CONTAINER)).findFirst()
                    .orElseThrow(() -> new AssertionError(name + ": no container named " + CONTAINER));
        }
    }

    private static final String NO_KUBECTL = "kubectl not found on PATH: the Kubernetes manifests of deploy/k8s were NOT "
            + "checked. Install kubectl (it includes kustomize) to run KubernetesManifestsTest.";

    @BeforeAll
    static void render() throws Exception {
        String kubectl = onPath("kubectl");
        if (kubectl == null) {
            System.err.println("WARNING: " + NO_KUBECTL); // and every test is skipped with this reason
            return;
        }
        repo = repositoryRoot();
        // A copy, so that the overlay's secrets.env is the documented example and never a real one lying
        // in the working tree (the overlay's kustomization reads secrets.env, which git ignores).
        Path copy = tmp.resolve("k8s");
        copyTree(repo.resolve("deploy/k8s"), copy);
        Files.copy(copy.resolve("overlays/scenario/secrets.env.example"), copy.resolve("overlays/scenario/secrets.env"));
        base = kustomize(kubectl, copy.resolve("base"), "base");
        scenario = kustomize(kubectl, copy.resolve("overlays/scenario"), "overlays/scenario");
    }

    @BeforeEach
    void needsKubectl() {
        Assumptions.assumeTrue(scenario != null, NO_KUBECTL);
    }

    @Test
    void everyDocumentIsAKnownKindThatMatchesItsApiSchema() {
        // (reading them happened in render(): a field the schema lacks or a wrong type fails there)
        assertThat(kinds(base)).containsExactlyInAnyOrder("ConfigMap", "ConfigMap", "Deployment");
        assertThat(kinds(scenario)).containsExactlyInAnyOrder("ConfigMap", "ConfigMap", "Secret", "Deployment", "PodMonitor");
    }

    @Test
    void theSchemaCheckRejectsWhatTheApiWouldNot() {
        ObjectNode typo = (ObjectNode) deploymentDocument(scenario).deepCopy();
        for (JsonNode container : typo.at("/spec/template/spec/containers")) {
            if (container.path("name").asText().equals(CONTAINER)) {
                ((ObjectNode) container.at("/readinessProbe/httpGet")).put("pth", "/health/ready");
            }
        }
        assertThatThrownBy(() -> STRICT.treeToValue(typo, Deployment.class))
                .isInstanceOf(UnrecognizedPropertyException.class).hasMessageContaining("\"pth\"");

        ObjectNode misplaced = (ObjectNode) deploymentDocument(scenario).deepCopy();
        ((ObjectNode) misplaced.at("/spec/template/spec")).put("readOnlyRootFilesystem", true); // belongs in a securityContext
        assertThatThrownBy(() -> STRICT.treeToValue(misplaced, Deployment.class)).isInstanceOf(UnrecognizedPropertyException.class);

        ObjectNode wrongType = (ObjectNode) deploymentDocument(scenario).deepCopy();
        ((ObjectNode) wrongType.at("/spec")).put("replicas", "one");
        assertThatThrownBy(() -> STRICT.treeToValue(wrongType, Deployment.class)).hasMessageContaining("replicas");
    }

    @Test
    void theMosaicContainerRunsLockedDown() {
        for (Rendered r : List.of(base, scenario)) {
            SecurityContext sc = r.mosaic().getSecurityContext();
            assertThat(sc).as(r.name() + ": securityContext").isNotNull();
            assertThat(sc.getRunAsNonRoot()).as(r.name() + ": runAsNonRoot").isTrue();
            assertThat(sc.getRunAsUser()).as(r.name() + ": runAsUser (the image's user)").isEqualTo(10001L);
            assertThat(sc.getReadOnlyRootFilesystem()).as(r.name() + ": readOnlyRootFilesystem").isTrue();
            assertThat(sc.getAllowPrivilegeEscalation()).as(r.name() + ": allowPrivilegeEscalation").isFalse();
            assertThat(sc.getCapabilities().getDrop()).as(r.name() + ": capabilities.drop").containsExactly("ALL");
            assertThat(sc.getCapabilities().getAdd()).as(r.name() + ": capabilities.add").isNullOrEmpty();
            assertThat(sc.getSeccompProfile().getType()).as(r.name() + ": seccompProfile").isEqualTo("RuntimeDefault");
            assertThat(sc.getPrivileged()).as(r.name() + ": privileged").isNotEqualTo(Boolean.TRUE);

            PodSpec pod = r.one(Deployment.class).getSpec().getTemplate().getSpec();
            assertThat(pod.getTerminationGracePeriodSeconds()).as(r.name() + ": terminationGracePeriodSeconds").isEqualTo(30L);
            assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
            // state lives in Elasticsearch: no volume but the ConfigMap and an emptyDir for /tmp
            for (Volume v : pod.getVolumes()) {
                assertThat(v.getConfigMap() != null || v.getEmptyDir() != null)
                        .as(r.name() + ": volume " + v.getName() + " is a ConfigMap or an emptyDir").isTrue();
            }
            Map<String, String> mounts = new LinkedHashMap<>();
            r.mosaic().getVolumeMounts().forEach(m -> mounts.put(m.getMountPath(), m.getName()));
            assertThat(mounts).containsKeys("/etc/mosaic", "/tmp");
            assertThat(volume(pod, mounts.get("/tmp")).getEmptyDir()).as(r.name() + ": /tmp is an emptyDir").isNotNull();
            assertThat(volume(pod, mounts.get("/etc/mosaic")).getConfigMap().getName()).startsWith("mosaic-config-");
            // several replicas, as a rolling update makes anyway: the lease lets one Mosaic stream each source
            assertThat(r.one(Deployment.class).getSpec().getReplicas()).as("two replicas, one holding the leases").isEqualTo(2);
            assertThat(r.one(Deployment.class).getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
            assertThat(r.one(Deployment.class).getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        }
    }

    @Test
    void probesAndPortsMatchTheConfiguration() throws IOException {
        for (Rendered r : List.of(base, scenario)) {
            Container c = r.mosaic();
            MosaicConfig cfg = MosaicConfig.load(writeConfigMap(r, r.name().replace('/', '-') + "-ports"), podEnv(r)::get);
            assertThat(cfg.http().host()).isEqualTo("0.0.0.0");
            assertThat(cfg.state().inElasticsearch()).as(r.name() + ": state.store elasticsearch (nothing to mount)").isTrue();
            assertThat(cfg.lease().enabled()).as(r.name() + ": lease.enabled, for replicas: 2").isTrue();

            assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/live");
            assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
            assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/health/live");
            for (HTTPGetAction get : List.of(c.getLivenessProbe().getHttpGet(), c.getReadinessProbe().getHttpGet(), c.getStartupProbe().getHttpGet())) {
                assertThat(port(c, get.getPort().getIntVal() != null ? get.getPort().getIntVal().toString() : get.getPort().getStrVal()))
                        .as(r.name() + ": probe " + get.getPath() + " on http.port").isEqualTo(cfg.http().port());
            }
            assertThat(cfg.http().port()).isEqualTo(8080);

            Map<String, String> annotations = r.one(Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations();
            assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
                    .containsEntry("prometheus.io/port", Integer.toString(cfg.http().port()))
                    .containsEntry("prometheus.io/path", "/metrics");
        }
        PodMonitor monitor = scenario.one(PodMonitor.class);
        assertThat(monitor.getSpec().getSelector().getMatchLabels())
                .isEqualTo(scenario.one(Deployment.class).getSpec().getTemplate().getMetadata().getLabels());
        assertThat(monitor.getSpec().getPodMetricsEndpoints()).hasSize(1);
        PodMetricsEndpoint endpoint = monitor.getSpec().getPodMetricsEndpoints().get(0);
        assertThat(endpoint.getPath()).isEqualTo("/metrics");
        assertThat(port(scenario.mosaic(), endpoint.getPort())).isEqualTo(8080);
    }

    @Test
    void resourcesAndHeapFollowTheBenchmarks() {
        // docs/BENCHMARKS.md: three sources, 383 MB resident steady, 393 MB peak, heap peak 164 MB with
        // -Xmx192m; i.e. about 190 MB besides the heap.
        long mb = 1_000_000L;
        for (Rendered r : List.of(base, scenario)) {
            Container c = r.mosaic();
            Map<String, Quantity> requests = c.getResources().getRequests();
            Map<String, Quantity> limits = c.getResources().getLimits();
            assertThat(requests.get("memory")).isEqualTo(new Quantity("448Mi"));
            assertThat(requests.get("cpu")).isEqualTo(new Quantity("250m"));
            assertThat(limits.get("memory")).isEqualTo(new Quantity("640Mi"));
            long request = bytes(requests.get("memory"));
            long limit = bytes(limits.get("memory"));
            assertThat(request).as("request above the benchmark's peak resident size").isGreaterThan(393 * mb);
            assertThat(limit).isGreaterThanOrEqualTo(request);

            assertThat(env(c, "MOSAIC_LOG_FORMAT")).as(r.name() + ": the log as JSON lines for the cluster's log pipeline").isEqualTo("json");
            String opts = env(c, "MOSAIC_JAVA_OPTS");
            assertThat(opts).as("MOSAIC_JAVA_OPTS replaces the launcher's defaults: they must be repeated")
                    .contains("-XX:+UseParallelGC").contains("-XX:MaxHeapFreeRatio=40").contains("-XX:+ExitOnOutOfMemoryError").contains("-XX:TrimNativeHeapInterval=5000");
            long heap = maxHeap(opts, limit);
            assertThat(heap).as("max heap from " + opts).isBetween(164 * mb, limit / 2);
            assertThat(limit - heap).as("room besides the heap").isGreaterThan(256 * mb);
        }
    }

    @Test
    void credentialsComeOnlyFromTheSecret() throws IOException {
        for (Rendered r : List.of(base, scenario)) {
            Container c = r.mosaic();
            for (EnvVar e : c.getEnv()) {
                if (SECRET_NAME.matcher(e.getName()).matches()) {
                    assertThat(e.getValue()).as(r.name() + ": " + e.getName() + " must not be a literal").isNull();
                    assertThat(e.getValueFrom().getSecretKeyRef()).as(r.name() + ": " + e.getName() + " from a Secret").isNotNull();
                    assertThat(e.getValueFrom().getSecretKeyRef().getOptional()).isNotEqualTo(Boolean.TRUE);
                }
            }
            for (ConfigMap cm : r.all(ConfigMap.class)) {
                assertThat(cm.getData().keySet()).as(r.name() + ": ConfigMap " + cm.getMetadata().getName())
                        .noneMatch(k -> SECRET_NAME.matcher(k).matches());
            }
            // the secret keys of mosaic.yaml are references to variables that come from the Secret
            JsonNode config = YAML.readTree(r.named(ConfigMap.class, configMapName(r)).getData().get("mosaic.yaml"));
            List<JsonNode> secretValues = new ArrayList<>();
            secretValues.add(config.at("/elasticsearch/api_key"));
            secretValues.add(config.at("/elasticsearch/password"));
            config.get("sources").forEach(s -> secretValues.add(s.get("password")));
            for (JsonNode v : secretValues) {
                if (v == null || v.isMissingNode()) {
                    continue;
                }
                Matcher m = ENV_REF.matcher(v.asText());
                assertThat(m.matches()).as(r.name() + ": a secret in mosaic.yaml must be ${VAR}, is '" + v.asText() + "'").isTrue();
                assertThat(m.group(2)).as("no default for a secret").isNull();
                EnvVar var = c.getEnv().stream().filter(e -> e.getName().equals(m.group(1))).findFirst()
                        .orElseThrow(() -> new AssertionError(r.name() + ": mosaic.yaml needs " + m.group(1) + ", the container lacks it"));
                assertThat(var.getValueFrom().getSecretKeyRef().getName()).startsWith("mosaic-secrets");
            }
        }

        // No value of the Secret appears in any other document (ConfigMaps first of all).
        Secret secret = scenario.generated(Secret.class, "mosaic-secrets");
        Map<String, String> values = decoded(secret);
        assertThat(values).containsOnlyKeys("ADMIN_DB_PASSWORD", "MOTIVATION_DB_PASSWORD", "LABOR_DB_PASSWORD", "MOSAIC_ES_API_KEY");
        for (int i = 0; i < scenario.documents().size(); i++) {
            if (scenario.objects().get(i) instanceof Secret) {
                continue;
            }
            String where = scenario.objects().get(i).getKind() + " " + scenario.objects().get(i).getMetadata().getName();
            List<String> texts = new ArrayList<>();
            collectTexts(scenario.documents().get(i), texts);
            values.forEach((key, value) -> {
                if (!value.isEmpty()) {
                    assertThat(texts).as("the value of Secret key " + key + " appears in " + where).noneMatch(t -> t.contains(value));
                }
            });
        }
        // every secretKeyRef names a key the overlay's Secret has
        for (EnvVar e : scenario.mosaic().getEnv()) {
            if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo(secret.getMetadata().getName());
                assertThat(values).containsKey(e.getValueFrom().getSecretKeyRef().getKey());
            }
        }
    }

    @Test
    void theConfigMapCarriesTheRepositorysMapping() throws IOException {
        for (Rendered r : List.of(base, scenario)) {
            Map<String, String> data = r.named(ConfigMap.class, configMapName(r)).getData();
            assertThat(data).containsOnlyKeys("mosaic.yaml", "employees.yaml", "employees.index.json");
            for (String file : List.of("employees.yaml", "employees.index.json")) {
                assertThat(data.get(file)).as(file + " in the ConfigMap differs from mappings/" + file
                                + ": copy it again (cp mappings/employees.* deploy/k8s/base/mappings/)")
                        .isEqualTo(Files.readString(repo.resolve("mappings").resolve(file)));
            }
        }
    }

    @Test
    void theMountedConfigurationPassesMosaicValidateOffline() throws Exception {
        // The overlay: the environment the pod would get (literals, the env ConfigMap, the example Secret).
        Path config = writeConfigMap(scenario, "scenario-validate");
        Map<String, String> env = podEnv(scenario);
        for (String variable : requiredVariables(scenario)) {
            assertThat(env).as("mosaic.yaml needs ${" + variable + "}; the pod's environment must set it").containsKey(variable);
        }
        Validation v = validateOffline(config, env, env(scenario.mosaic(), "MOSAIC_JAVA_OPTS"));
        assertThat(v.exit()).as("mosaic validate --offline (overlays/scenario), output:\n" + v.output()).isZero();
        assertThat(v.output()).contains("configuration OK: 3 source(s), 1 document type(s)");

        // The base (its Secret is the overlay's; any value will do offline), in this JVM: what
        // validate --offline does, with the base pod's environment.
        Map<String, String> baseEnv = podEnv(base);
        for (String variable : requiredVariables(base)) {
            assertThat(baseEnv).as("mosaic.yaml needs ${" + variable + "}; the base pod's environment must set it").containsKey(variable);
        }
        MosaicConfig cfg = MosaicConfig.load(writeConfigMap(base, "base-validate"), baseEnv::get);
        assertThat(cfg.sources()).containsOnlyKeys("admin", "motivation", "labor");
        assertThat(Mosaic.loadMappings(cfg).documents()).hasSize(1);
    }

    // --- rendering and reading ---

    private static Rendered kustomize(String kubectl, Path dir, String name) throws Exception {
        Process p = new ProcessBuilder(kubectl, "kustomize", dir.toString())
                .redirectError(ProcessBuilder.Redirect.PIPE).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize " + name + " finished").isTrue();
        assertThat(p.exitValue()).as("kubectl kustomize " + name + " failed:\n" + err).isZero();
        List<JsonNode> docs = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(out)) {
            while (it.hasNext()) {
                JsonNode d = it.next();
                if (d != null && !d.isNull() && !d.isMissingNode()) {
                    docs.add(d);
                }
            }
        }
        List<HasMetadata> objects = new ArrayList<>();
        for (JsonNode d : docs) {
            String type = d.path("apiVersion").asText() + "/" + d.path("kind").asText();
            Class<? extends HasMetadata> model = switch (type) {
                case "v1/ConfigMap" -> ConfigMap.class;
                case "v1/Secret" -> Secret.class;
                case "apps/v1/Deployment" -> Deployment.class;
                case "monitoring.coreos.com/v1/PodMonitor" -> PodMonitor.class;
                default -> throw new AssertionError(name + ": unexpected document " + type + " " + d.path("metadata").path("name"));
            };
            try {
                objects.add(STRICT.treeToValue(d, model));
            } catch (IOException e) {
                throw new AssertionError(name + ": " + type + " " + d.path("metadata").path("name").asText()
                        + " does not match the API schema: " + e.getMessage(), e);
            }
        }
        return new Rendered(name, List.copyOf(docs), List.copyOf(objects));
    }

    private static ObjectMapper strictMapper() {
        SimpleModule noAnySetters = new SimpleModule("no-any-setters");
        noAnySetters.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription bean, BeanDeserializerBuilder builder) {
                // fabric8's models keep unknown fields in "additionalProperties" (an any-setter): drop it,
                // so that an unknown field is an error as for the API server's strict field validation
                builder.setAnySetter(null);
                builder.setIgnoreUnknownProperties(false);
                return builder;
            }
        });
        return JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .addModule(noAnySetters)
                .build();
    }

    private static JsonNode deploymentDocument(Rendered r) {
        return r.documents().stream().filter(d -> d.path("kind").asText().equals("Deployment")).findFirst().orElseThrow();
    }

    private static List<String> kinds(Rendered r) {
        return r.objects().stream().map(HasMetadata::getKind).toList();
    }

    // --- the pod's view ---

    private static String configMapName(Rendered r) {
        return r.generated(ConfigMap.class, "mosaic-config").getMetadata().getName();
    }

    /** The ConfigMap's files in a directory, as the pod mounts them at /etc/mosaic; returns mosaic.yaml. */
    private static Path writeConfigMap(Rendered r, String dirName) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(dirName));
        for (Map.Entry<String, String> e : r.named(ConfigMap.class, configMapName(r)).getData().entrySet()) {
            Files.writeString(dir.resolve(e.getKey()), e.getValue());
        }
        return dir.resolve("mosaic.yaml");
    }

    /**
     * The environment of the mosaic container as the kubelet would build it: envFrom first, then env
     * (which wins); secretKeyRef from the rendered Secret, or a placeholder where the Secret is not part of
     * the rendering (the base).
     */
    private static Map<String, String> podEnv(Rendered r) {
        Container c = r.mosaic();
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : c.getEnvFrom()) {
            if (from.getConfigMapRef() != null) {
                env.putAll(r.named(ConfigMap.class, from.getConfigMapRef().getName()).getData());
            } else if (from.getSecretRef() != null) {
                env.putAll(decoded(r.named(Secret.class, from.getSecretRef().getName())));
            }
        }
        for (EnvVar e : c.getEnv()) {
            if (e.getValueFrom() == null) {
                env.put(e.getName(), e.getValue() == null ? "" : e.getValue());
            } else if (e.getValueFrom().getSecretKeyRef() != null) {
                var ref = e.getValueFrom().getSecretKeyRef();
                List<Secret> secrets = r.all(Secret.class);
                env.put(e.getName(), secrets.isEmpty() ? "placeholder-" + ref.getKey()
                        : decoded(r.named(Secret.class, ref.getName())).get(ref.getKey()));
            } else if (e.getValueFrom().getConfigMapKeyRef() != null) {
                var ref = e.getValueFrom().getConfigMapKeyRef();
                env.put(e.getName(), r.named(ConfigMap.class, ref.getName()).getData().get(ref.getKey()));
            }
        }
        return env;
    }

    /** The variables the values of mosaic.yaml (not its comments) refer to without a default. */
    private static List<String> requiredVariables(Rendered r) throws IOException {
        List<String> values = new ArrayList<>();
        collectTexts(YAML.readTree(r.named(ConfigMap.class, configMapName(r)).getData().get("mosaic.yaml")), values);
        List<String> names = new ArrayList<>();
        for (String value : values) {
            Matcher m = ENV_REF.matcher(value);
            while (m.find()) {
                if (m.group(2) == null) {
                    names.add(m.group(1));
                }
            }
        }
        assertThat(names).isNotEmpty();
        return names;
    }

    record Validation(int exit, String output) {
    }

    /**
     * {@code mosaic validate --offline --config file}: the connector's {@code io.mosaic.Main} in a JVM of
     * its own, because the configuration reads the process environment, which must be exactly the pod's
     * (nothing inherited from this JVM), with the container's JVM options (an option Java 17 rejects fails here).
     */
    private static Validation validateOffline(Path config, Map<String, String> env, String javaOpts) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(javaOpts.trim().split("\\s+")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.mosaic.Main", "validate", "--offline", "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("mosaic validate finished").isTrue();
        return new Validation(p.exitValue(), output);
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    /** The container port a probe or monitor names (by name or number). */
    private static int port(Container c, String nameOrNumber) {
        for (ContainerPort p : c.getPorts()) {
            if (nameOrNumber.equals(p.getName()) || nameOrNumber.equals(String.valueOf(p.getContainerPort()))) {
                return p.getContainerPort();
            }
        }
        throw new AssertionError("container " + c.getName() + " has no port " + nameOrNumber);
    }

    private static String env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst()
                .orElseThrow(() -> new AssertionError("container " + c.getName() + " lacks " + name));
    }

    /** The JVM's maximum heap for these options in a container with this memory limit. */
    private static long maxHeap(String opts, long limit) {
        Matcher xmx = Pattern.compile("-Xmx(\\d+)([kKmMgG]?)").matcher(opts);
        if (xmx.find()) {
            long n = Long.parseLong(xmx.group(1));
            return switch (xmx.group(2).toLowerCase()) {
                case "k" -> n << 10;
                case "m" -> n << 20;
                case "g" -> n << 30;
                default -> n;
            };
        }
        Matcher pct = Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)").matcher(opts);
        assertThat(pct.find()).as("MOSAIC_JAVA_OPTS sets the heap (-Xmx or -XX:MaxRAMPercentage): " + opts).isTrue();
        return (long) (limit * Double.parseDouble(pct.group(1)) / 100);
    }

    private static long bytes(Quantity q) {
        return Quantity.getAmountInBytes(q).setScale(0, java.math.RoundingMode.UP).longValueExact();
    }

    private static Map<String, String> decoded(Secret s) {
        Map<String, String> out = new LinkedHashMap<>();
        if (s.getData() != null) {
            s.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        if (s.getStringData() != null) {
            out.putAll(s.getStringData());
        }
        return out;
    }

    private static void collectTexts(JsonNode node, List<String> out) {
        if (node.isValueNode()) {
            out.add(node.asText());
        }
        node.fieldNames().forEachRemaining(out::add);
        node.elements().forEachRemaining(child -> collectTexts(child, out));
    }

    // --- files ---

    private static String onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    private static Path repositoryRoot() {
        String configured = System.getProperty("mosaic.root");
        Path p = Path.of(configured != null ? configured : System.getProperty("user.dir")).toAbsolutePath().normalize();
        for (Path q = p; q != null; q = q.getParent()) {
            if (Files.isDirectory(q.resolve("deploy/k8s/base")) && Files.isDirectory(q.resolve("mappings"))) {
                return q;
            }
        }
        throw new AssertionError("repository root (with deploy/k8s/base) not found above " + p);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else if (!f.getFileName().toString().equals("secrets.env")) { // a real one stays where it is
                    Files.copy(f, target);
                }
            }
        }
    }
}
