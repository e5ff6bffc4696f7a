-- Per class × scope × policy: text units, mentions and conversations, weighted by the policy
-- (a text unit or conversation counts with its largest mention weight, so `split` gives fractions);
-- every class has a row for every scope and policy, zeros included.
create or replace table class_frequency_by_policy as
with scoped_weights as (
    select 'combined' as scope, policy, class_id, doc_id, conversation_id, weight from mention_weights
    union all
    select stage as scope, policy, class_id, doc_id, conversation_id, weight from mention_weights
    union all
    select 'source:' || source as scope, policy, class_id, doc_id, conversation_id, weight from mention_weights
),

per_document as (
    select scope, policy, class_id, doc_id, conversation_id, max(weight) as document_weight, sum(weight) as mention_weight
    from scoped_weights
    group by scope, policy, class_id, doc_id, conversation_id
),

per_conversation as (
    select scope, policy, class_id, max(document_weight) as conversation_weight
    from per_document
    group by scope, policy, class_id, conversation_id
),

document_counts as (
    select scope, policy, class_id, sum(document_weight) as n_docs, sum(mention_weight) as n_mentions
    from per_document
    group by scope, policy, class_id
),

conversation_counts as (
    select scope, policy, class_id, sum(conversation_weight) as n_conversations
    from per_conversation
    group by scope, policy, class_id
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
