-- One row per class × text unit that mentions it: the text unit's attributes, and per policy its largest
-- mention weight (`<policy>_document`: what the text unit counts) and the sum of its mention weights
-- (`<policy>_mentions`), one pair for each weight_<policy> column of `mentions`; and the sense model's expected
-- counts (`expected_document`, the text unit's largest class-sense probability; `expected_mentions`, their sum). A working table of the
-- count stage, which every frequency table aggregates further.
create or replace temp table class_documents as
select
    class_id,
    doc_id,
    source,
    stage,
    role,
    conversation_id,
    max(columns('^weight_(.*)$')) as '\1_document',
    sum(columns('^weight_(.*)$')) as '\1_mentions',
    -- decimals (the probabilities have 12 places), so that every later sum is exact: the same whatever order
    -- DuckDB's threads add them in
    max(sense_probability)::decimal(18, 12) as expected_document,
    sum(sense_probability::decimal(18, 12)) as expected_mentions
from mentions
-- a text unit belongs to one source, stage, role and conversation: grouping by them is grouping by doc_id
-- (and faster than picking them with any_value)
group by class_id, doc_id, source, stage, role, conversation_id
