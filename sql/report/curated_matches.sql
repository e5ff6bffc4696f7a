-- Matches that count for no class (curated exclusions, blocking compounds), the classes each would have
-- counted for, and how many text units hold them; the most frequent first.
select
    term,
    status,
    reason,
    string_agg(distinct class_id, ' ' order by class_id) as hides_class,
    count(distinct doc_id) as n_docs
from uncounted_mentions
group by term, status, reason
order by n_docs desc, term, status, reason
limit $limit
