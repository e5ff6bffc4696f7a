-- Round 0 starts with no labels: the first round's collocations are the seeds alone, and its decisions add the
-- relatives' evidence (sense/decisions.sql).
create or replace table sense_labels as
select mention, class_id, term, true as label
from sense_features
where false
