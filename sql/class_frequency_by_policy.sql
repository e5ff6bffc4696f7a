-- Per class × scope × policy: text units, mentions and conversations, weighted by the policy
-- (a text unit or conversation counts with its largest mention weight, so `split` gives fractions);
-- every class has a row for every scope and policy, zeros included.
create or replace table class_frequency_by_policy as
with per_document as (
    -- a text unit belongs to one source, stage and conversation
    select
        class_id,
        doc_id,
        any_value(source) as source,
        any_value(stage) as stage,
        any_value(conversation_id) as conversation_id,
        max(weight_keep) as keep_document,
        sum(weight_keep) as keep_mentions,
        max(weight_drop) as drop_document,
        sum(weight_drop) as drop_mentions,
        max(weight_split) as split_document,
        sum(weight_split) as split_mentions,
        max(weight_context) as context_document,
        sum(weight_context) as context_mentions
    from mentions
    group by class_id, doc_id
),

per_policy as (
    select
        class_id,
        doc_id,
        source,
        stage,
        conversation_id,
        unnest(['keep', 'drop', 'split', 'context']) as policy,
        unnest([keep_document, drop_document, split_document, context_document]) as document_weight,
        unnest([keep_mentions, drop_mentions, split_mentions, context_mentions]) as mention_weight
    from per_document
),

per_conversation as (
    select
        policy,
        class_id,
        conversation_id,
        any_value(source) as source,
        any_value(stage) as stage,
        max(document_weight) as conversation_weight
    from per_policy
    group by policy, class_id, conversation_id
),

document_counts as (
    select
        case when grouping(stage) = 0 then stage when grouping(source) = 0 then 'source:' || source else 'combined' end as scope,
        policy,
        class_id,
        sum(document_weight) as n_docs,
        sum(mention_weight) as n_mentions
    from per_policy
    group by grouping sets ((policy, class_id), (policy, class_id, stage), (policy, class_id, source))
),

conversation_counts as (
    select
        case when grouping(stage) = 0 then stage when grouping(source) = 0 then 'source:' || source else 'combined' end as scope,
        policy,
        class_id,
        sum(conversation_weight) as n_conversations
    from per_conversation
    group by grouping sets ((policy, class_id), (policy, class_id, stage), (policy, class_id, source))
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
    coalesce(document_counts.n_docs, 0)::double as n_docs,
    coalesce(document_counts.n_mentions, 0)::double as n_mentions,
    coalesce(conversation_counts.n_conversations, 0)::double as n_conversations
from classes
cross join scopes
cross join policies
left join document_counts using (class_id, scope, policy)
left join conversation_counts using (class_id, scope, policy)
order by scopes.scope, policies.policy, classes.class_index
