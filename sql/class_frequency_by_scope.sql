-- Per class × scope (everything combined, each stage, each source): the frequencies correlation uses.
-- n_docs, n_mentions, n_conversations follow the run's policy ($policy); the *_raw columns count every
-- counted term (policy keep); n_docs_uncurated also counts curated exclusions and blocking compounds
-- as the class they hide; n_docs_hypernym counts text units naming a WordNet parent of the class.
create or replace table class_frequency_by_scope as
with run_policy as (
    select class_id, scope, n_docs, n_mentions, n_conversations
    from class_frequency_by_policy
    where policy = $policy
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

uncurated_mentions as (
    select source, stage, class_id, doc_id from mentions
    union all
    select source, stage, class_id, doc_id from uncounted_mentions
),

hypernym_documents as (
    select hypernym_mentions.source, hypernym_mentions.stage, hypernym_terms.class_id, hypernym_mentions.doc_id
    from hypernym_mentions
    join hypernym_terms using (term)
),

scoped as (
    select 'uncurated' as measure, 'combined' as scope, class_id, doc_id from uncurated_mentions
    union all
    select 'uncurated', stage, class_id, doc_id from uncurated_mentions
    union all
    select 'uncurated', 'source:' || source, class_id, doc_id from uncurated_mentions
    union all
    select 'hypernym', 'combined', class_id, doc_id from hypernym_documents
    union all
    select 'hypernym', stage, class_id, doc_id from hypernym_documents
    union all
    select 'hypernym', 'source:' || source, class_id, doc_id from hypernym_documents
),

measured as (
    select
        class_id,
        scope,
        count(distinct doc_id) filter (where measure = 'uncurated') as n_docs_uncurated,
        count(distinct doc_id) filter (where measure = 'hypernym') as n_docs_hypernym
    from scoped
    group by class_id, scope
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
    coalesce(measured.n_docs_uncurated, 0) as n_docs_uncurated,
    coalesce(measured.n_docs_hypernym, 0) as n_docs_hypernym
from (select distinct class_id, class_index, wnid, display_name, scope from class_frequency_by_policy) as frequency
join run_policy using (class_id, scope)
join raw using (class_id, scope)
left join measured using (class_id, scope)
order by frequency.scope, frequency.class_index
