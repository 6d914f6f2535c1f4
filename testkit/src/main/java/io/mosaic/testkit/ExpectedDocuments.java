package io.mosaic.testkit;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.mosaic.scenario.ScenarioDatabases;

/**
 * The scenario contract computed independently of Mosaic: plain SQL over the three databases, joined
 * in Java by employee id. This is the oracle every end-to-end test compares Elasticsearch against.
 */
public final class ExpectedDocuments {

    private ExpectedDocuments() {
    }

    public static Map<String, Map<String, Object>> compute(ScenarioDatabases dbs) throws SQLException {
        Map<String, Map<String, Object>> docs = new TreeMap<>();
        try (Connection c = dbs.openAdmin(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT e.id, e.company_id, e.code, e.family_name, e.given_name, e.family_name_kana, "
                     + "e.given_name_kana, e.email, e.status, to_char(e.hired_on, 'YYYY-MM-DD') AS hired_on, e.department_id, d.name AS department_name "
                     + "FROM employees e LEFT JOIN departments d ON d.id = e.department_id")) {
            while (r.next()) {
                Map<String, Object> doc = new LinkedHashMap<>();
                long id = r.getLong("id");
                doc.put("id", id);
                doc.put("company_id", r.getLong("company_id"));
                doc.put("code", r.getString("code"));
                Map<String, Object> name = new LinkedHashMap<>();
                name.put("family", r.getString("family_name"));
                name.put("given", r.getString("given_name"));
                name.put("family_kana", r.getString("family_name_kana"));
                name.put("given_kana", r.getString("given_name_kana"));
                name.put("full", r.getString("family_name") + " " + r.getString("given_name"));
                doc.put("name", name);
                doc.put("email", r.getString("email"));
                doc.put("status", r.getString("status"));
                doc.put("hired_on", r.getString("hired_on"));
                Object deptId = r.getObject("department_id");
                if (deptId == null) {
                    doc.put("department", null);
                } else {
                    Map<String, Object> dept = new LinkedHashMap<>();
                    dept.put("id", ((Number) deptId).longValue());
                    dept.put("name", r.getString("department_name"));
                    doc.put("department", dept);
                }
                doc.put("surveys", new ArrayList<>());
                doc.put("contracts", new ArrayList<>());
                doc.put("qualifications", new ArrayList<>());
                docs.put(Long.toString(id), doc);
            }
        }
        try (Connection c = dbs.openMotivation(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT a.id, a.survey_id, a.employee_id, a.score, a.condition, s.title, "
                     + "to_char(s.conducted_on, 'YYYY-MM-DD') AS conducted_on FROM survey_answers a JOIN surveys s ON s.id = a.survey_id")) {
            while (r.next()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("answer_id", r.getLong("id"));
                e.put("survey_id", r.getLong("survey_id"));
                e.put("title", r.getString("title"));
                e.put("conducted_on", r.getString("conducted_on"));
                e.put("score", r.getBigDecimal("score"));
                e.put("condition", r.getString("condition"));
                add(docs, r.getLong("employee_id"), "surveys", e);
            }
        }
        try (Connection c = dbs.openLabor(); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT id, employee_id, contract_type, DATE_FORMAT(starts_on, '%Y-%m-%d') AS starts_on, "
                    + "DATE_FORMAT(ends_on, '%Y-%m-%d') AS ends_on, weekly_hours FROM contracts")) {
                while (r.next()) {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("id", r.getLong("id"));
                    e.put("type", r.getString("contract_type"));
                    e.put("starts_on", r.getString("starts_on"));
                    e.put("ends_on", r.getString("ends_on"));
                    BigDecimal hours = r.getBigDecimal("weekly_hours");
                    e.put("weekly_hours", hours);
                    add(docs, r.getLong("employee_id"), "contracts", e);
                }
            }
            try (ResultSet r = s.executeQuery("SELECT id, employee_id, name, DATE_FORMAT(acquired_on, '%Y-%m-%d') AS acquired_on FROM qualifications")) {
                while (r.next()) {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("id", r.getLong("id"));
                    e.put("name", r.getString("name"));
                    e.put("acquired_on", r.getString("acquired_on"));
                    add(docs, r.getLong("employee_id"), "qualifications", e);
                }
            }
        }
        return docs;
    }

    /** Admin's part of the contract only: the expected documents without the other sources' arrays. */
    public static Map<String, Map<String, Object>> adminOnly(Map<String, Map<String, Object>> docs) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        docs.forEach((k, v) -> {
            Map<String, Object> d = new LinkedHashMap<>(v);
            d.remove("surveys");
            d.remove("contracts");
            d.remove("qualifications");
            out.put(k, d);
        });
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void add(Map<String, Map<String, Object>> docs, long employeeId, String array, Map<String, Object> element) {
        Map<String, Object> doc = docs.get(Long.toString(employeeId));
        if (doc != null) { // rows of employees that do not exist are not part of any document
            ((List<Object>) doc.get(array)).add(element);
        }
    }
}
