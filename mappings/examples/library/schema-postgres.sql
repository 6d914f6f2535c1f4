-- PostgreSQL database "library": branches, members and their tags.
-- Run in an empty database: psql -d library -f schema-postgres.sql (it drops and re-creates its tables).
DROP TABLE IF EXISTS member_tags;
DROP TABLE IF EXISTS members;
DROP TABLE IF EXISTS branches;

CREATE TABLE branches (
  id   int PRIMARY KEY,
  name text NOT NULL
);

-- A member is soft-deleted: deleted_at set means "gone" (the mapping's root filter), NULL means current.
-- branch_id is the tenant: the members index is routed by it.
CREATE TABLE members (
  id         bigint PRIMARY KEY,
  branch_id  int NOT NULL,
  name       text NOT NULL,
  joined_on  date NOT NULL,
  phone      text,                 -- not mapped: never leaves the database
  deleted_at timestamptz
);

-- Tags as an array of scalars; the primary key is both columns. The parent column member_id is part of
-- the primary key, so the default replica identity already tells a delete which member it leaves.
CREATE TABLE member_tags (
  member_id bigint NOT NULL,
  tag       text NOT NULL,
  PRIMARY KEY (member_id, tag)
);
