-- Reference scenario, database "motivation" (PostgreSQL): surveys and their answers.
-- survey_answers.employee_id refers to admin.employees.id (another database: no FK).
-- Run by io.mosaic.scenario.ScenarioSchema: statements end with ";" at the end of a line,
-- lines starting with "--" are comments. Drops and recreates the tables.

DROP TABLE IF EXISTS survey_answers CASCADE;
DROP TABLE IF EXISTS surveys CASCADE;

CREATE TABLE surveys (
    id           bigint PRIMARY KEY,
    company_id   bigint NOT NULL,
    title        text   NOT NULL,
    conducted_on date   NOT NULL
);

CREATE TABLE survey_answers (
    id          bigint       PRIMARY KEY,
    survey_id   bigint       NOT NULL
        CONSTRAINT survey_answers_survey_id_fkey REFERENCES surveys (id),
    employee_id bigint       NOT NULL,
    score       numeric(5,2) NOT NULL,
    condition   text         NOT NULL
        CONSTRAINT survey_answers_condition_check CHECK (condition IN ('good', 'caution', 'danger')),
    -- sensitive: must never reach Elasticsearch
    comment     text         NULL
);

CREATE INDEX survey_answers_employee_id_idx ON survey_answers (employee_id);
CREATE INDEX survey_answers_survey_id_idx ON survey_answers (survey_id);

-- A child table: its delete events must carry employee_id (the parent key), not just id. A replica
-- identity on a unique index of (id, employee_id) puts exactly those two in a delete's old row;
-- REPLICA IDENTITY FULL would put every column there, comment included, and could not be combined with
-- a publication column list that leaves comment out (PostgreSQL would refuse UPDATE and DELETE).
CREATE UNIQUE INDEX survey_answers_mosaic_identity ON survey_answers (id, employee_id);
ALTER TABLE survey_answers REPLICA IDENTITY USING INDEX survey_answers_mosaic_identity;
