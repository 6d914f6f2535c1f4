package io.mosaic.scenario;

import java.util.LinkedHashMap;
import java.util.Map;

/** Rows per table of the reference scenario. */
public record ScenarioCounts(
        long companies,
        long departments,
        long employees,
        long surveys,
        long surveyAnswers,
        long contracts,
        long qualifications) {

    public long total() {
        return companies + departments + employees + surveys + surveyAnswers + contracts + qualifications;
    }

    /** The counts keyed by "database.table", in a fixed order (admin, motivation, labor). */
    public Map<String, Long> asMap() {
        Map<String, Long> map = new LinkedHashMap<>();
        map.put("admin.companies", companies);
        map.put("admin.departments", departments);
        map.put("admin.employees", employees);
        map.put("motivation.surveys", surveys);
        map.put("motivation.survey_answers", surveyAnswers);
        map.put("labor.contracts", contracts);
        map.put("labor.qualifications", qualifications);
        return map;
    }

    /** Adds two partial counts (e.g. of different databases). */
    public ScenarioCounts plus(ScenarioCounts other) {
        return new ScenarioCounts(
                companies + other.companies,
                departments + other.departments,
                employees + other.employees,
                surveys + other.surveys,
                surveyAnswers + other.surveyAnswers,
                contracts + other.contracts,
                qualifications + other.qualifications);
    }

    /** A sink that counts the rows it is given. */
    static class Counter implements ScenarioRows.Sink {
        long companies;
        long departments;
        long employees;
        long surveys;
        long surveyAnswers;
        long contracts;
        long qualifications;

        @Override
        public void company(ScenarioRows.Company row) {
            companies++;
        }

        @Override
        public void department(ScenarioRows.Department row) {
            departments++;
        }

        @Override
        public void survey(ScenarioRows.Survey row) {
            surveys++;
        }

        @Override
        public void employee(ScenarioRows.Employee row) {
            employees++;
        }

        @Override
        public void surveyAnswer(ScenarioRows.SurveyAnswer row) {
            surveyAnswers++;
        }

        @Override
        public void contract(ScenarioRows.Contract row) {
            contracts++;
        }

        @Override
        public void qualification(ScenarioRows.Qualification row) {
            qualifications++;
        }

        ScenarioCounts counts() {
            return new ScenarioCounts(
                    companies, departments, employees, surveys, surveyAnswers, contracts, qualifications);
        }
    }
}
