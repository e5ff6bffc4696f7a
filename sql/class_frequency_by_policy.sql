-- Per class × scope × policy: text units, mentions and conversations, weighted by the policy
-- (a text unit or conversation counts with its largest mention weight, so `split` gives fractions);
-- every class has a row for every scope and policy, zeros included. The policies stay side by side
-- (one column each) until the counts are small.
create or replace table class_frequency_by_policy as
with per_conversation as (
    -- a conversation belongs to one source and stage: grouping by them too changes no group
    select
        class_id,
        conversation_id,
        source,
        stage,
        max(keep_document) as keep_conversation,
        max(drop_document) as drop_conversation,
        max(split_document) as split_conversation,
        max(context_document) as context_conversation
    from class_documents
    group by class_id, conversation_id, source, stage
),

document_counts as (
    select
        case when grouping(stage) = 0 then stage when grouping(source) = 0 then 'source:' || source else 'combined' end as scope,
        class_id,
        sum(keep_document) as keep_docs,
        sum(keep_mentions) as keep_mentions,
        sum(drop_document) as drop_docs,
        sum(drop_mentions) as drop_mentions,
        sum(split_document) as split_docs,
        sum(split_mentions) as split_mentions,
        sum(context_document) as context_docs,
        sum(context_mentions) as context_mentions
    from class_documents
    group by grouping sets ((class_id), (class_id, stage), (class_id, source))
),

conversation_counts as (
    select
        case when grouping(stage) = 0 then stage when grouping(source) = 0 then 'source:' || source else 'combined' end as scope,
        class_id,
        sum(keep_conversation) as keep_conversations,
        sum(drop_conversation) as drop_conversations,
        sum(split_conversation) as split_conversations,
        sum(context_conversation) as context_conversations
    from per_conversation
    group by grouping sets ((class_id), (class_id, stage), (class_id, source))
),

counts as (
    select
        document_counts.scope,
        document_counts.class_id,
        unnest(['keep', 'drop', 'split', 'context']) as policy,
        unnest([keep_docs, drop_docs, split_docs, context_docs]) as n_docs,
        unnest([keep_mentions, drop_mentions, split_mentions, context_mentions]) as n_mentions,
        unnest([keep_conversations, drop_conversations, split_conversations, context_conversations]) as n_conversations
    from document_counts
    join conversation_counts using (scope, class_id)
),

scopes as (
    select 'combined' as scope from documents_summary
    union
    select stage from documents_summary
    union
    select 'source:' || source from documents_summary
),

policies as (
    select unnest(['keep', 'drop', 'split', 'context']) as policy
)

select
    classes.class_id,
    classes.class_index,
    classes.wnid,
    classes.display_name,
    scopes.scope,
    policies.policy,
    coalesce(counts.n_docs, 0)::double as n_docs,
    coalesce(counts.n_mentions, 0)::double as n_mentions,
    coalesce(counts.n_conversations, 0)::double as n_conversations
from classes
cross join scopes
cross join policies
left join counts using (class_id, scope, policy)
order by scopes.scope, policies.policy, classes.class_index
