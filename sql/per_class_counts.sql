-- The per-class check's classes (the working table per_class_judged: doc_id, class_id, label of each labelled
-- text unit): how many of each class's matched text units were judged and how many mean the class, beside the
-- class's matched text units (policy keep) and each policy's count, in the scope of the whole corpus.
with judged as (
    select class_id, count(*) as n_labelled, sum(label)::bigint as n_class_sense
    from per_class_judged
    group by class_id
),

counts as (
    select class_id, display_name, policy, n_docs
    from class_frequency_by_policy
    where scope = 'combined' and list_contains($policies::varchar[], policy)
),

matched as (
    select class_id, n_docs as matches
    from counts
    where policy = 'keep'
)

select
    counts.class_id,
    counts.display_name,
    matched.matches,
    judged.n_labelled,
    judged.n_class_sense,
    counts.policy,
    counts.n_docs as count
from judged
join matched using (class_id)
join counts using (class_id)
order by matched.matches desc, counts.class_id, list_position($policies::varchar[], counts.policy)
