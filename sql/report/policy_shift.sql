-- Text units mentioning each class (all sources) under each policy, for the $limit classes the policies move
-- most (the largest spread between policies), beside the uncurated and hypernym counts; a row per class and
-- policy (the report puts the policies side by side).
with combined as (
    select class_id, display_name, policy, n_docs
    from class_frequency_by_policy
    where scope = 'combined'
),

moved as (
    select class_id, max(n_docs) - min(n_docs) as spread
    from combined
    group by class_id
    having max(n_docs) > min(n_docs)
    order by spread desc, class_id
    limit $limit
),

scoped as (
    select class_id, n_docs_uncurated as uncurated, n_docs_hypernym as hypernym
    from class_frequency_by_scope
    where scope = 'combined'
)

select
    combined.class_id,
    combined.display_name,
    moved.spread,
    scoped.uncurated,
    scoped.hypernym,
    combined.policy,
    combined.n_docs
from combined
join moved using (class_id)
join scoped using (class_id)
order by moved.spread desc, combined.class_id, combined.policy
