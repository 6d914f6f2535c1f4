package io.mosaic.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mosaic.config.ConfigProblem;
import io.mosaic.config.Problems;
import io.mosaic.model.TableInfo;
import io.mosaic.model.TableRef;

/** The language of nested collections: what loads, what is refused (with file, line and fix), the live checks, the projection. */
class NestedCollectionTest {

    private static final String VALID = """
            document: customer
            index: {alias: customers}
            root:
              source: crm
              table: public.customers
              key: id
              fields: {id: id, name: name}
            collections:
              contracts:
                source: crm
                table: public.contracts
                key: [customer_id, no]
                parent: customer_id
                fields: {no: no, title: title}
                collections:
                  allowances:
                    source: billing
                    table: billing.allowances
                    key: id
                    parent: [customer_id, contract_no]
                    path: pay.allowances
                    fields: {id: id, kind: kind}
                    filter: {kind: {not_equals: void}}
                  tags:
                    source: billing
                    table: billing.contract_tags
                    key: [customer_id, contract_no, tag]
                    parent: [customer_id, contract_no]
                    value: tag
            """;

    @TempDir
    Path dir;

    private DocumentMapping load(String yaml, List<String> problems) throws IOException {
        Path f = dir.resolve("customers.yaml");
        Files.writeString(f, yaml);
        Problems p = new Problems();
        DocumentMapping m = new MappingLoader(Set.of("crm", "billing")).loadFile(f, p);
        p.list().stream().map(ConfigProblem::toString).forEach(problems::add);
        return m;
    }

    @Test
    void aNestedCollectionLoadsWithCompositeKeysAFilterAndAValueCollection() throws IOException {
        List<String> problems = new java.util.ArrayList<>();
        DocumentMapping m = load(VALID, problems);
        assertThat(problems).isEmpty();
        CollectionMapping contracts = m.collections().get(0);
        assertThat(contracts.hasNested()).isTrue();
        assertThat(contracts.collections()).extracting(CollectionMapping::name).containsExactly("allowances", "tags");
        CollectionMapping allowances = contracts.collections().get(0);
        assertThat(allowances.parent().columns()).containsExactly("customer_id", "contract_no");
        assertThat(allowances.path()).containsExactly("pay", "allowances");
        assertThat(m.sources()).containsExactly("crm", "billing");

        MappingSet set = new MappingSet(List.of(m));
        assertThat(set.roles("billing.billing.allowances")).singleElement()
                .satisfies(r -> assertThat(((TableRole.Child) r).within()).isSameAs(contracts));
        assertThat(set.columns("billing.billing.allowances")).containsExactlyInAnyOrder("id", "customer_id", "contract_no", "kind");
        assertThat(set.tables("billing")).extracting(TableRef::id).containsExactly("billing.billing.allowances", "billing.billing.contract_tags");
    }

    @Test
    void theProjectionPutsTheNestedRowsIntoTheirElements() throws IOException {
        DocumentMapping m = load(VALID, new java.util.ArrayList<>());
        DocumentState s = new DocumentState("1");
        s.setRoot(new Contribution(1, false, Map.of("id", 1L, "name", "A")));
        s.applyChild("contracts", "1|2", new Contribution(1, false, Map.of("customer_id", 1L, "no", 2L, "title", "T")));
        s.applyChild("contracts", "1|1", new Contribution(1, false, Map.of("customer_id", 1L, "no", 1L, "title", "S")));
        Map<String, Map<String, Contribution>> rows = new HashMap<>();
        Map<String, Contribution> a = new TreeMap<>();
        a.put("7", new Contribution(1, false, Map.of("id", 7L, "customer_id", 1L, "contract_no", 2L, "kind", "meal")));
        a.put("3", new Contribution(1, false, Map.of("id", 3L, "customer_id", 1L, "contract_no", 2L, "kind", "void")));
        a.put("5", new Contribution(2, true, null));
        rows.put("allowances|1|2", a);
        rows.put("tags|1|2", Map.of("1|2|kids", new Contribution(1, false, Map.of("customer_id", 1L, "contract_no", 2L, "tag", "kids"))));
        Map<String, Object> doc = Projector.project(m, s, (t, k) -> null,
                (outer, n, key) -> rows.getOrDefault(n.name() + "|" + key, Map.of()));
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("no", 1L);
        first.put("title", "S");
        first.put("pay", Map.of("allowances", List.of()));
        first.put("tags", List.of());
        Map<String, Object> second = new LinkedHashMap<>();
        second.put("no", 2L);
        second.put("title", "T");
        second.put("pay", Map.of("allowances", List.of(Map.of("id", 7L, "kind", "meal"))));
        second.put("tags", List.of("kids"));
        assertThat(doc.get("contracts")).isEqualTo(List.of(first, second));
    }

    @Test
    void deeperNestingLookupsAndAMismatchedParentAreRefusedWithLineAndFix() throws IOException {
        List<String> p = new java.util.ArrayList<>();
        load(VALID.replace("        value: tag\n", "        value: tag\n"
                + "      deeper:\n"
                + "        source: billing\n"
                + "        table: billing.allowance_notes\n"
                + "        key: id\n"
                + "        parent: [customer_id, contract_no]\n"
                + "        fields: {id: id}\n"
                + "        collections:\n"
                + "          notes: {source: billing, table: billing.notes, key: id, parent: note_id, fields: {id: id}}\n")
                .replace("        parent: [customer_id, contract_no]\n        path: pay.allowances\n",
                        "        parent: contract_no\n        path: pay.allowances\n"
                        + "        lookups:\n          kinds: {table: billing.kinds, key: id, on: kind, fields: {kind_name: name}}\n"), p);
        assertThat(p).anySatisfy(s -> assertThat(s).contains("customers.yaml:39:").contains("nested collection 'contracts.deeper' has "
                        + "'collections': collections nest one level deep"))
                .anySatisfy(s -> assertThat(s).contains("customers.yaml:20:").contains("nested collection 'contracts.allowances': parent "
                        + "contract_no names 1 column(s), but the key [customer_id, no] of collection 'contracts' has 2"))
                .anySatisfy(s -> assertThat(s).contains("nested collection 'contracts.allowances' has 'lookups', which nested "
                        + "collections do not support (yet)"));

        p.clear();
        load(VALID.replace("fields: {no: no, title: title}", "value: title"), p);
        assertThat(p).anySatisfy(s -> assertThat(s).contains("customers.yaml:16:")
                .contains("collection 'contracts' has 'value', so its elements are single values and cannot hold nested collections"));
    }

    @Test
    void theLiveChecksCoverTheNestedTable() throws IOException {
        DocumentMapping m = load(VALID, new java.util.ArrayList<>());
        Map<String, TableInfo> t = new HashMap<>();
        t.put("crm.public.customers", table(List.of("id"), "id", "int8", "name", "text"));
        t.put("crm.public.contracts", table(List.of("customer_id", "no"), "customer_id", "int8", "no", "int8", "title", "text"));
        t.put("billing.billing.allowances", table(List.of("id"), "id", "bigint", "customer_id", "bigint", "kind", "varchar"));
        t.put("billing.billing.contract_tags", table(List.of("customer_id", "tag"), "customer_id", "bigint", "contract_no", "bigint",
                "tag", "varchar"));
        Problems p = new Problems();
        MappingValidator.check(new MappingSet(List.of(m)), t, Set.of("crm", "billing"), p);
        assertThat(p.list().stream().map(ConfigProblem::toString).toList())
                .anySatisfy(s -> assertThat(s).contains("customers.yaml:20:").contains("parent column 'contract_no' does not exist in "
                        + "billing.billing.allowances"))
                .anySatisfy(s -> assertThat(s).contains("customers.yaml:27:").contains("key [customer_id, contract_no, tag] of "
                        + "billing.billing.contract_tags is not its primary key [customer_id, tag]"))
                .hasSize(2);
    }

    @Test
    void theIndexTemplateMustMapTheNestedPathsAsTheirKind() throws IOException {
        Files.writeString(dir.resolve("customers.index.json"), """
                {"mappings": {"properties": {
                  "contracts": {"type": "nested", "properties": {
                    "pay": {"properties": {"allowances": {"type": "keyword"}}},
                    "tags": {"type": "nested"}}}}}}
                """);
        DocumentMapping m = load(VALID.replace("index: {alias: customers}", "index: {alias: customers, template: customers.index.json}"),
                new java.util.ArrayList<>());
        Problems p = new Problems();
        MappingValidator.check(new MappingSet(List.of(m)), Map.of(), Set.of(), p);
        assertThat(p.list().stream().map(ConfigProblem::toString).toList())
                .anySatisfy(s -> assertThat(s).contains("customers.yaml:17:").contains("nested collection 'contracts.allowances' is an "
                        + "array of objects, but customers.index.json maps 'contracts.pay.allowances' as keyword; map it as nested"))
                .anySatisfy(s -> assertThat(s).contains("customers.yaml:25:").contains("nested collection 'contracts.tags' is an array "
                        + "of single values ('value'), but customers.index.json maps 'contracts.tags' as nested"))
                .hasSize(2);
    }

    @Test
    void aNestedTableOnPostgresqlGetsAReplicaIdentityOverItsKeyAndParent() throws IOException {
        // the nested table in the root's PostgreSQL database: its deletes and moves must say which element they leave
        DocumentMapping m = load(VALID.replace("source: billing\n        table: billing.allowances", "source: crm\n        table: public.allowances"),
                new java.util.ArrayList<>());
        Map<String, TableInfo> t = new HashMap<>();
        t.put("crm.public.customers", new TableInfo(Map.of("id", "int8", "name", "text"), List.of("id"), "d", List.of("id"), Set.of("id")));
        t.put("crm.public.contracts", new TableInfo(Map.of("customer_id", "int8", "no", "int8", "title", "text"), List.of("customer_id", "no"),
                "f", List.of("customer_id", "no", "title"), Set.of("customer_id", "no")));
        t.put("crm.public.allowances", new TableInfo(Map.of("id", "int8", "customer_id", "int8", "contract_no", "int8", "kind", "text"),
                List.of("id"), "d", List.of("id"), Set.of("id", "customer_id", "contract_no")));
        io.mosaic.config.SourceConfig crm = new io.mosaic.config.SourceConfig("crm", io.mosaic.config.SourceType.POSTGRES, "db.example",
                5432, "crm", "mosaic", "pw", "mosaic_crm", "mosaic_crm", 1, "initial", java.time.Duration.ofSeconds(10),
                java.time.Duration.ofSeconds(10), Map.of());
        io.mosaic.source.SourceSetup setup = new io.mosaic.source.SourceSetup(crm, new MappingSet(List.of(m)), t, 150018);
        assertThat(setup.replicaIdentity(new TableRef("crm", "public.allowances"))).containsExactly(
                "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS allowances_mosaic_identity ON public.allowances (id, customer_id, contract_no);",
                "ALTER TABLE public.allowances REPLICA IDENTITY USING INDEX allowances_mosaic_identity;");
    }

    private static TableInfo table(List<String> key, String... columnsAndTypes) {
        Map<String, String> cols = new LinkedHashMap<>();
        for (int i = 0; i < columnsAndTypes.length; i += 2) {
            cols.put(columnsAndTypes[i], columnsAndTypes[i + 1]);
        }
        return new TableInfo(cols, key, "d");
    }
}
