-- Per class × source × stage × role: text units, mentions and conversations under the run's policy
-- ($policy), beside the raw counts (every counted term, policy `keep`); zeros included.
create or replace table class_frequency as
with slices as (
    select source, stage, role
    from documents_summary
),

grid as (
    select classes.class_id, classes.class_index, classes.wnid, classes.display_name, slices.*
    from classes
    cross join slices
),

per_document as (
    select
        class_id,
        source,
        stage,
        role,
        conversation_id,
        max(document_weight) filter (where policy = $policy) as document_weight,
        max(mention_weight) filter (where policy = $policy) as mention_weight,
        max(mention_weight) filter (where policy = 'keep') as raw_mentions
    from class_documents
    group by class_id, doc_id, source, stage, role, conversation_id
),

per_conversation as (
    -- a conversation belongs to one source and stage: grouping by them too changes no group
    select
        class_id,
        role,
        conversation_id,
        source,
        stage,
        max(document_weight) as conversation_weight
    from per_document
    group by class_id, role, conversation_id, source, stage
),

counted as (
    select
        class_id,
        source,
        stage,
        role,
        sum(document_weight) as n_docs,
        sum(mention_weight) as n_mentions,
        count(*) as n_docs_raw,
        sum(raw_mentions) as n_mentions_raw
    from per_document
    group by class_id, source, stage, role
),

conversations as (
    select
        class_id,
        source,
        stage,
        role,
        sum(conversation_weight) as n_conversations,
        count(*) as n_conversations_raw
    from per_conversation
    group by class_id, source, stage, role
)

select
    grid.class_id,
    grid.class_index,
    grid.wnid,
    grid.display_name,
    grid.source,
    grid.stage,
    grid.role,
    coalesce(counted.n_docs, 0)::double as n_docs,
    coalesce(counted.n_mentions, 0)::double as n_mentions,
    coalesce(conversations.n_conversations, 0)::double as n_conversations,
    coalesce(counted.n_docs_raw, 0)::bigint as n_docs_raw,
    coalesce(counted.n_mentions_raw, 0)::bigint as n_mentions_raw,
    coalesce(conversations.n_conversations_raw, 0)::bigint as n_conversations_raw
from grid
left join counted using (class_id, source, stage, role)
left join conversations using (class_id, source, stage, role)
order by grid.class_index, grid.source, grid.stage, grid.role
