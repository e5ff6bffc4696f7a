-- Per class × scope × policy: text units, mentions and conversations, weighted by the policy
-- (a text unit or conversation counts with its largest mention weight, so `split` gives fractions);
-- every class has a row for every scope and every policy of $policies, zeros included.
create or replace table class_frequency_by_policy as
with per_conversation as (
    -- a conversation belongs to one source and stage: grouping by them too changes no group
    select
        class_id,
        policy,
        conversation_id,
        source,
        stage,
        max(document_weight) as conversation_weight
    from class_documents
    group by class_id, policy, conversation_id, source, stage
),

document_counts as (
    select
        scope_of(grouping(stage), grouping(source), stage, source) as scope,
        class_id,
        policy,
        sum(document_weight) as n_docs,
        sum(mention_weight) as n_mentions
    from class_documents
    group by grouping sets ((class_id, policy), (class_id, policy, stage), (class_id, policy, source))
),

conversation_counts as (
    select
        scope_of(grouping(stage), grouping(source), stage, source) as scope,
        class_id,
        policy,
        sum(conversation_weight) as n_conversations
    from per_conversation
    group by grouping sets ((class_id, policy), (class_id, policy, stage), (class_id, policy, source))
),

counts as (
    select scope, class_id, policy, n_docs, n_mentions, n_conversations
    from document_counts
    join conversation_counts using (scope, class_id, policy)
),

scopes as (
    select distinct scope_of(grouping(stage), grouping(source), stage, source) as scope
    from documents_summary
    group by grouping sets ((), (stage), (source))
),

policies as (
    select unnest($policies::varchar[]) as policy
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
