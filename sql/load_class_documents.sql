-- One row per class × text unit that mentions it: the text unit's attributes, and per policy its largest
-- mention weight (`*_document`: what the text unit counts) and the sum of its mention weights
-- (`*_mentions`). A working table of the count stage, which every frequency table aggregates further.
create or replace temp table class_documents as
select
    class_id,
    doc_id,
    source,
    stage,
    role,
    conversation_id,
    max(weight_keep) as keep_document,
    sum(weight_keep) as keep_mentions,
    max(weight_drop) as drop_document,
    sum(weight_drop) as drop_mentions,
    max(weight_split) as split_document,
    sum(weight_split) as split_mentions,
    max(weight_context) as context_document,
    sum(weight_context) as context_mentions
from mentions
-- a text unit belongs to one source, stage, role and conversation: grouping by them is grouping by doc_id
-- (and faster than picking them with any_value)
group by class_id, doc_id, source, stage, role, conversation_id
