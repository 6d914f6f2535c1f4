-- A small library: 3 branches, 200 members (every 10th soft-deleted), 0 to 3 tags each.
INSERT INTO branches VALUES (1, 'Central'), (2, 'Riverside'), (3, 'Hilltop');

INSERT INTO members (id, branch_id, name, joined_on, phone, deleted_at)
SELECT g, 1 + g % 3, 'Member ' || g, DATE '2015-01-01' + (g * 13) % 3650, '555-' || lpad(g::text, 4, '0'),
       CASE WHEN g % 10 = 0 THEN TIMESTAMPTZ '2024-06-01 12:00:00+00' END
FROM generate_series(1, 200) g;

INSERT INTO member_tags (member_id, tag)
SELECT g, t.tag
FROM generate_series(1, 200) g
JOIN (VALUES (1, 'kids'), (2, 'premium'), (3, 'student'), (5, 'volunteer')) AS t(n, tag) ON g % (t.n + 1) = 0;
