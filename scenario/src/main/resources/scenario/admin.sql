-- Reference scenario, database "admin" (PostgreSQL): companies, departments, employees.
-- Run by io.mosaic.scenario.ScenarioSchema: statements end with ";" at the end of a line,
-- lines starting with "--" are comments. Drops and recreates the tables; the database
-- itself is created by the Java code.

DROP TABLE IF EXISTS employees CASCADE;
DROP TABLE IF EXISTS departments CASCADE;
DROP TABLE IF EXISTS companies CASCADE;

CREATE TABLE companies (
    id   bigint PRIMARY KEY,
    name text   NOT NULL
);

CREATE TABLE departments (
    id         bigint PRIMARY KEY,
    company_id bigint NOT NULL,
    name       text   NOT NULL
);

CREATE TABLE employees (
    id               bigint      PRIMARY KEY,
    company_id       bigint      NOT NULL,
    code             text        NOT NULL,
    family_name      text        NOT NULL,
    given_name       text        NOT NULL,
    family_name_kana text        NULL,
    given_name_kana  text        NULL,
    email            text        NULL,
    department_id    bigint      NULL
        CONSTRAINT employees_department_id_fkey REFERENCES departments (id) ON DELETE SET NULL,
    status           text        NOT NULL
        CONSTRAINT employees_status_check CHECK (status IN ('active', 'on_leave', 'retired')),
    hired_on         date        NULL,
    -- sensitive: must never reach Elasticsearch
    my_number        text        NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX employees_company_id_idx ON employees (company_id);
CREATE INDEX employees_department_id_idx ON employees (department_id);
