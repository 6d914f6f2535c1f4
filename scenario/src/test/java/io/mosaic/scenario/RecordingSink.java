package io.mosaic.scenario;

import java.util.ArrayList;
import java.util.List;

/** Keeps every generated row (for small scenarios in tests). */
final class RecordingSink implements ScenarioRows.Sink {
    final List<ScenarioRows.Company> companies = new ArrayList<>();
    final List<ScenarioRows.Department> departments = new ArrayList<>();
    final List<ScenarioRows.Survey> surveys = new ArrayList<>();
    final List<ScenarioRows.Employee> employees = new ArrayList<>();
    final List<ScenarioRows.SurveyAnswer> answers = new ArrayList<>();
    final List<ScenarioRows.Contract> contracts = new ArrayList<>();
    final List<ScenarioRows.Qualification> qualifications = new ArrayList<>();
    /** Every row in the order received. */
    final List<Record> all = new ArrayList<>();

    static RecordingSink generate(ScenarioSize size, long seed) {
        RecordingSink sink = new RecordingSink();
        new ScenarioGenerator(size, seed).generate(sink);
        return sink;
    }

    @Override
    public void company(ScenarioRows.Company row) {
        companies.add(row);
        all.add(row);
    }

    @Override
    public void department(ScenarioRows.Department row) {
        departments.add(row);
        all.add(row);
    }

    @Override
    public void survey(ScenarioRows.Survey row) {
        surveys.add(row);
        all.add(row);
    }

    @Override
    public void employee(ScenarioRows.Employee row) {
        employees.add(row);
        all.add(row);
    }

    @Override
    public void surveyAnswer(ScenarioRows.SurveyAnswer row) {
        answers.add(row);
        all.add(row);
    }

    @Override
    public void contract(ScenarioRows.Contract row) {
        contracts.add(row);
        all.add(row);
    }

    @Override
    public void qualification(ScenarioRows.Qualification row) {
        qualifications.add(row);
        all.add(row);
    }
}
