-- Per class × source × stage × role: text units, mentions and conversations under the run's policy
-- ($policy), beside the raw counts (every counted term, policy `keep`) and the sense model's expected counts (sums
-- of class-sense probabilities, a text unit counting its largest); zeros included.
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

per_conversation as (
    -- a conversation belongs to one source and stage: grouping by them too changes no group
    select
        class_id,
        role,
        conversation_id,
        source,
        stage,
        max(columns('^(.*)_document$')) as '\1_conversation'
    from class_documents
    group by class_id, role, conversation_id, source, stage
),

counted as (
    select
        class_id,
        source,
        stage,
        role,
        sum(columns('^(.*)_document$')) as '\1_docs',
        sum(columns('^(.*)_mentions$')) as '\1_mentions',
        count(*) as docs_raw
    from class_documents
    group by class_id, source, stage, role
),

conversations as (
    select
        class_id,
        source,
        stage,
        role,
        sum(columns('^(.*)_conversation$')) as '\1_conversations',
        count(*) as conversations_raw
    from per_conversation
    group by class_id, source, stage, role
),

long_counts as (
    unpivot (
        select *
        from counted
        join conversations using (class_id, source, stage, role)
    )
    on columns('_(docs|mentions|conversations)$')
    into name measure value n
),

run_policy as (
    select
        class_id,
        source,
        stage,
        role,
        any_value(docs_raw) as n_docs_raw,
        any_value(conversations_raw) as n_conversations_raw,
        max(n) filter (where measure = $policy || '_docs') as n_docs,
        max(n) filter (where measure = $policy || '_mentions') as n_mentions,
        max(n) filter (where measure = $policy || '_conversations') as n_conversations,
        max(n) filter (where measure = 'keep_mentions') as n_mentions_raw,
        max(n) filter (where measure = 'expected_docs') as n_docs_expected,
        max(n) filter (where measure = 'expected_mentions') as n_mentions_expected
    from long_counts
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
    coalesce(run_policy.n_docs, 0)::double as n_docs,
    coalesce(run_policy.n_mentions, 0)::double as n_mentions,
    coalesce(run_policy.n_conversations, 0)::double as n_conversations,
    coalesce(run_policy.n_docs_raw, 0)::bigint as n_docs_raw,
    coalesce(run_policy.n_mentions_raw, 0)::bigint as n_mentions_raw,
    coalesce(run_policy.n_conversations_raw, 0)::bigint as n_conversations_raw,
    coalesce(run_policy.n_docs_expected, 0)::double as n_docs_expected,
    coalesce(run_policy.n_mentions_expected, 0)::double as n_mentions_expected
from grid
left join run_policy using (class_id, source, stage, role)
order by grid.class_index, grid.source, grid.stage, grid.role
