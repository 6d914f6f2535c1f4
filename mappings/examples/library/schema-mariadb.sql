-- MariaDB database "lib_catalog": books, their authors (many-to-many), loans and their renewals.
-- Run in an empty database: mariadb lib_catalog < schema-mariadb.sql (it drops and re-creates its tables).
-- The server needs binlog_format=ROW and binlog_row_image=FULL (deploy/local/mariadb.sh sets both).
DROP TABLE IF EXISTS loan_renewals;
DROP TABLE IF EXISTS loans;
DROP TABLE IF EXISTS book_authors;
DROP TABLE IF EXISTS authors;
DROP TABLE IF EXISTS books;

CREATE TABLE books (
  id             bigint PRIMARY KEY,
  title          varchar(200) NOT NULL,
  published_year int,
  shelf          varchar(20)       -- not mapped
);

CREATE TABLE authors (
  id   bigint PRIMARY KEY,
  name varchar(200) NOT NULL
);

-- The join table of books and authors.
CREATE TABLE book_authors (
  book_id   bigint NOT NULL,
  author_id bigint NOT NULL,
  PRIMARY KEY (book_id, author_id)
);

-- One row per loan; a member may borrow the same book again on another day. returned_on NULL: still out.
-- member_id refers to library.members (another server: no foreign key).
CREATE TABLE loans (
  member_id   bigint NOT NULL,
  book_id     bigint NOT NULL,
  loaned_on   date NOT NULL,
  returned_on date,
  PRIMARY KEY (member_id, book_id, loaned_on)
);

-- Each renewal of a loan: the loan's key and the day it was renewed (no foreign key, as Mosaic needs none).
CREATE TABLE loan_renewals (
  member_id  bigint NOT NULL,
  book_id    bigint NOT NULL,
  loaned_on  date NOT NULL,
  renewed_on date NOT NULL,
  due_on     date,
  PRIMARY KEY (member_id, book_id, loaned_on, renewed_on)
);
