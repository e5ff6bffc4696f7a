-- Per class × scope (everything combined, each stage, each source): the frequencies correlation uses.
-- n_docs, n_mentions, n_conversations follow the run's policy ($policy); the *_raw columns count every
-- counted term (policy keep); n_docs_expected and n_mentions_expected are the sense model's expected counts
-- (sums of class-sense probabilities, a text unit counting its largest; null when `sense` is not among the
-- policies); n_docs_uncurated also counts curated exclusions and blocking compounds
-- as the class they hide; n_docs_hypernym counts text units naming a WordNet parent of the class.
create or replace table class_frequency_by_scope as
with run_policy as (
    select class_id, scope, n_docs, n_mentions, n_conversations
    from class_frequency_by_policy
    where policy = $policy
),

expected as (
    select class_id, scope, n_docs_expected, n_mentions_expected
    from class_frequency_by_policy
    where policy = $expected_policy
),

raw as (
    select
        class_id,
        scope,
        n_docs::bigint as n_docs_raw,
        n_mentions::bigint as n_mentions_raw,
        n_conversations::bigint as n_conversations_raw
    from class_frequency_by_policy
    where policy = 'keep'
),

uncurated_documents as (
    select class_id, doc_id, source, stage from class_documents
    union
    select class_id, doc_id, source, stage from uncounted_mentions
),

hypernym_documents as (
    select hypernym_terms.class_id, hypernym_mentions.doc_id, any_value(hypernym_mentions.source) as source,
        any_value(hypernym_mentions.stage) as stage
    from hypernym_mentions
    join hypernym_terms using (term)
    group by hypernym_terms.class_id, hypernym_mentions.doc_id
),

uncurated as (
    select
        scope_of(grouping(stage), grouping(source), stage, source) as scope,
        class_id,
        count(*) as n_docs_uncurated
    from uncurated_documents
    group by grouping sets ((class_id), (class_id, stage), (class_id, source))
),

hypernym as (
    select
        scope_of(grouping(stage), grouping(source), stage, source) as scope,
        class_id,
        count(*) as n_docs_hypernym
    from hypernym_documents
    group by grouping sets ((class_id), (class_id, stage), (class_id, source))
)

select
    frequency.class_id,
    frequency.class_index,
    frequency.wnid,
    frequency.display_name,
    frequency.scope,
    run_policy.n_docs,
    run_policy.n_mentions,
    run_policy.n_conversations,
    raw.n_docs_raw,
    raw.n_mentions_raw,
    raw.n_conversations_raw,
    expected.n_docs_expected,
    expected.n_mentions_expected,
    coalesce(uncurated.n_docs_uncurated, 0) as n_docs_uncurated,
    coalesce(hypernym.n_docs_hypernym, 0) as n_docs_hypernym
from (select distinct class_id, class_index, wnid, display_name, scope from class_frequency_by_policy) as frequency
join run_policy using (class_id, scope)
join raw using (class_id, scope)
left join expected using (class_id, scope)
left join uncurated using (class_id, scope)
left join hypernym using (class_id, scope)
order by frequency.scope, frequency.class_index
