-- Reference scenario, database "labor" (MariaDB / MySQL): contracts and qualifications.
-- employee_id refers to admin.employees.id (another server: no FK).
-- Run by io.mosaic.scenario.ScenarioSchema: statements end with ";" at the end of a line,
-- lines starting with "--" are comments. Drops and recreates the tables.

DROP TABLE IF EXISTS qualifications;
DROP TABLE IF EXISTS contracts;

CREATE TABLE contracts (
    id             BIGINT       NOT NULL,
    employee_id    BIGINT       NOT NULL,
    contract_type  VARCHAR(20)  NOT NULL,
    starts_on      DATE         NOT NULL,
    ends_on        DATE         NULL,
    weekly_hours   DECIMAL(4,1) NULL,
    -- sensitive: must never reach Elasticsearch
    monthly_salary INT          NULL,
    PRIMARY KEY (id),
    KEY contracts_employee_id_idx (employee_id),
    CONSTRAINT contracts_contract_type_check
        CHECK (contract_type IN ('full_time', 'part_time', 'fixed_term'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE qualifications (
    id          BIGINT       NOT NULL,
    employee_id BIGINT       NOT NULL,
    name        VARCHAR(200) NOT NULL,
    acquired_on DATE         NULL,
    PRIMARY KEY (id),
    KEY qualifications_employee_id_idx (employee_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
