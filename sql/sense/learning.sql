-- The mentions each bootstrapping round learns from: of each flagged (class, term), at most $learning_cap,
-- a fixed pseudo-random choice (by a hash of the mention), so a round's cost is bounded whatever the corpus.
-- The last round decides every mention (sense/decisions.sql with $learning_only false).
create or replace table sense_learning as
select mention, class_id
from (select distinct mention, class_id, term from sense_features)
qualify row_number() over (partition by class_id, term order by hash(mention), mention) <= $learning_cap
