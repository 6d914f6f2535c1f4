package io.mosaic.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ScenarioSizeTest {

    @Test
    void oneCompanyPerHundredEmployees() {
        assertThat(ScenarioSize.ofEmployees(100_000)).isEqualTo(new ScenarioSize(1_000, 100_000));
        assertThat(ScenarioSize.ofEmployees(1_000).companies()).isEqualTo(10);
        assertThat(ScenarioSize.ofEmployees(50).companies()).isEqualTo(1);
        assertThat(ScenarioSize.ofEmployees(0).companies()).isEqualTo(1);
    }

    @Test
    void aboutTenDepartmentsAndFourSurveysPerCompany() {
        ScenarioSize size = ScenarioSize.ofEmployees(100_000);
        assertThat(size.departmentsPerCompany()).isEqualTo(10);
        assertThat(size.departments()).isEqualTo(10_000);
        assertThat(size.surveysPerCompany()).isEqualTo(4);
        assertThat(size.surveys()).isEqualTo(4_000);
        // small companies have fewer departments, but at least one
        assertThat(new ScenarioSize(1, 35).departmentsPerCompany()).isEqualTo(3);
        assertThat(new ScenarioSize(1, 5).departmentsPerCompany()).isEqualTo(1);
        assertThat(new ScenarioSize(10, 0).departmentsPerCompany()).isEqualTo(1);
        assertThat(new ScenarioSize(1, 100_000).departmentsPerCompany()).isEqualTo(10);
    }

    @Test
    void hundredThousandEmployeesGiveAboutAMillionRows() {
        ScenarioSize size = ScenarioSize.ofEmployees(100_000);
        assertThat(size.estimatedRows()).isBetween(700_000L, 1_300_000L);
        ScenarioCounts counts = ScenarioGenerator.count(size, 42);
        assertThat(counts.total()).isBetween(700_000L, 1_300_000L);
        assertThat((double) counts.total()).isCloseTo(size.estimatedRows(), org.assertj.core.data.Percentage.withPercentage(2));
        assertThat(counts.employees()).isEqualTo(100_000);
        assertThat(counts.asMap()).containsOnlyKeys(
                "admin.companies", "admin.departments", "admin.employees",
                "motivation.surveys", "motivation.survey_answers",
                "labor.contracts", "labor.qualifications");
        assertThat(counts.asMap().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(counts.total());
    }

    @Test
    void employeesAreSplitIntoEvenCompanyBlocks() {
        ScenarioSize size = new ScenarioSize(3, 10);
        assertThat(size.companyOf(1)).isEqualTo(1);
        assertThat(size.companyOf(4)).isEqualTo(1);
        assertThat(size.companyOf(5)).isEqualTo(2);
        assertThat(size.companyOf(10)).isEqualTo(3);
        assertThat(ScenarioSize.ofEmployees(100_000).companyOf(100_000)).isEqualTo(1_000);
        assertThatThrownBy(() -> size.companyOf(11)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new ScenarioSize(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScenarioSize(1, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anEmptyScenarioHasOnlyTheOrganisation() {
        ScenarioCounts counts = ScenarioGenerator.count(new ScenarioSize(2, 0), 1);
        assertThat(counts).isEqualTo(new ScenarioCounts(2, 2, 0, 8, 0, 0, 0));
    }
}
