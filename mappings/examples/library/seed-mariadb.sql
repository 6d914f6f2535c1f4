-- 60 books, 20 authors (each book by 1 or 2 of them), about 300 loans of the 200 members, a third of them
-- returned, and about 225 renewals (every loan of an even-numbered book renewed once, of a book numbered
-- by a multiple of 4 twice). seq_1_to_N is MariaDB's SEQUENCE engine (on by default).
INSERT INTO books (id, title, published_year, shelf)
SELECT seq, CONCAT('Book ', seq), 1950 + (seq * 7) % 75, CONCAT('S', seq % 12) FROM seq_1_to_60;

INSERT INTO authors (id, name) SELECT seq, CONCAT('Author ', seq) FROM seq_1_to_20;

INSERT INTO book_authors (book_id, author_id) SELECT seq, 1 + seq % 20 FROM seq_1_to_60;
INSERT INTO book_authors (book_id, author_id) SELECT seq, 1 + (seq * 3 + 7) % 20 FROM seq_1_to_60
  WHERE seq % 3 = 0 AND 1 + (seq * 3 + 7) % 20 <> 1 + seq % 20;

INSERT INTO loans (member_id, book_id, loaned_on, returned_on)
SELECT 1 + (seq * 7) % 200, 1 + (seq * 11) % 60, DATE_ADD('2026-01-01', INTERVAL seq % 300 DAY),
       CASE WHEN seq % 3 = 0 THEN DATE_ADD('2026-01-15', INTERVAL seq % 300 DAY) END
FROM seq_1_to_300;

INSERT INTO loan_renewals (member_id, book_id, loaned_on, renewed_on, due_on)
SELECT member_id, book_id, loaned_on, DATE_ADD(loaned_on, INTERVAL 14 DAY), DATE_ADD(loaned_on, INTERVAL 35 DAY)
FROM loans WHERE book_id % 2 = 0;
INSERT INTO loan_renewals (member_id, book_id, loaned_on, renewed_on, due_on)
SELECT member_id, book_id, loaned_on, DATE_ADD(loaned_on, INTERVAL 30 DAY), DATE_ADD(loaned_on, INTERVAL 51 DAY)
FROM loans WHERE book_id % 4 = 0;
