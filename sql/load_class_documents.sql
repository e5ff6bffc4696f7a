-- One row per class × text unit that mentions it × policy: the text unit's attributes, its largest
-- mention weight (`document_weight`: what the text unit counts) and the sum of its mention weights
-- (`mention_weight`). A working table of the count stage, which every frequency table aggregates further.
create or replace temp table class_documents as
select
    class_id,
    doc_id,
    source,
    stage,
    role,
    conversation_id,
    policy,
    max(weight) as document_weight,
    sum(weight) as mention_weight
from mention_weights
-- a text unit belongs to one source, stage, role and conversation: grouping by them is grouping by doc_id
-- (and faster than picking them with any_value)
group by class_id, doc_id, source, stage, role, conversation_id, policy
