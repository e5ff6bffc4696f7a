-- The WordNet prior of each flagged (class, term) (see sense/features.sql).
create or replace table sense_priors as
select class_id, term, least(greatest(coalesce(sense_share, 0.5), 0.05), 0.95) as wordnet_prior
from lexicon
where status = 'counted' and flagged
