-- Each flagged mention's evidence from the relatives: the sum of its features' relative log ratios
-- (sense/relative_llr.sql), naive Bayes over its window, kept within ±$max_llr. The sum runs in the features'
-- order: a float sum in whatever order DuckDB's threads meet the rows differs in the last bits between runs.
create or replace table sense_relative_evidence as
select sense_features.mention, sense_features.class_id,
    greatest(least(sum(sense_relative_llr.llr order by sense_features.feature), $max_llr), -$max_llr) as relative_llr
from sense_features
join sense_relative_llr using (class_id, term, feature)
group by all
