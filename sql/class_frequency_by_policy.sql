-- Per class × scope × policy: text units, mentions and conversations, weighted by the policy
-- (a text unit or conversation counts with its largest mention weight, so `split` gives fractions);
-- every class has a row for every scope and every policy of $policies, zeros included. The policies
-- stay side by side (a column each, from class_documents) until the counts are small. The `sense` rows also hold
-- the sense model's expected counts (n_docs_expected, n_mentions_expected: sums of class-sense probabilities, a
-- text unit counting its largest); other policies' rows leave them null.
create or replace table class_frequency_by_policy as
with per_conversation as (
    -- a conversation belongs to one source and stage: grouping by them too changes no group
    select
        class_id,
        conversation_id,
        source,
        stage,
        max(columns('^(.*)_document$')) as '\1_conversation'
    from class_documents
    group by class_id, conversation_id, source, stage
),

document_counts as (
    select
        scope_of(grouping(stage), grouping(source), stage, source) as scope,
        class_id,
        sum(columns('^(.*)_document$')) as '\1_docs',
        sum(columns('^(.*)_mentions$')) as '\1_mentions'
    from class_documents
    group by grouping sets ((class_id), (class_id, stage), (class_id, source))
),

conversation_counts as (
    select
        scope_of(grouping(stage), grouping(source), stage, source) as scope,
        class_id,
        sum(columns('^(.*)_conversation$')) as '\1_conversations'
    from per_conversation
    group by grouping sets ((class_id), (class_id, stage), (class_id, source))
),

long_counts as (
    unpivot (
        select *
        from document_counts
        join conversation_counts using (scope, class_id)
    )
    on columns('_(docs|mentions|conversations)$')
    into name measure value n
),

counts as (
    select
        scope,
        class_id,
        regexp_extract(measure, '^(.*)_[a-z]+$', 1) as policy,
        max(n) filter (where suffix(measure, '_docs')) as n_docs,
        max(n) filter (where suffix(measure, '_mentions')) as n_mentions,
        max(n) filter (where suffix(measure, '_conversations')) as n_conversations
    from long_counts
    group by scope, class_id, policy
),

scopes as (
    -- `having`: the grand total of no text at all is no scope
    select distinct scope_of(grouping(stage), grouping(source), stage, source) as scope
    from documents_summary
    group by grouping sets ((), (stage), (source))
    having count(*) > 0
),

policies as (
    select unnest($policies::varchar[]) as policy
),

expected as (
    -- the sense model's expected counts (class_documents' expected_* columns), beside the $expected_policy's (sense)
    select scope, class_id, n_docs as n_docs_expected, n_mentions as n_mentions_expected
    from counts
    where policy = 'expected'
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
    coalesce(counts.n_conversations, 0)::double as n_conversations,
    case when policies.policy = $expected_policy then coalesce(expected.n_docs_expected, 0) end::double as n_docs_expected,
    case when policies.policy = $expected_policy then coalesce(expected.n_mentions_expected, 0) end::double as n_mentions_expected
from classes
cross join scopes
cross join policies
left join counts using (class_id, scope, policy)
left join expected using (class_id, scope)
order by scopes.scope, policies.policy, classes.class_index
