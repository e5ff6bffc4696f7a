-- Per class, text units mentioning it (all sources) under each policy, for the classes the policies move most.
with combined as (
    select class_id, display_name, policy, n_docs
    from class_frequency_by_policy
    where scope = 'combined'
),

pivoted as (
    select
        class_id,
        any_value(display_name) as display_name,
        sum(n_docs) filter (where policy = 'keep') as keep,
        sum(n_docs) filter (where policy = 'drop') as "drop",
        sum(n_docs) filter (where policy = 'split') as split,
        sum(n_docs) filter (where policy = 'context') as context
    from combined
    group by class_id
),

scoped as (
    select class_id, n_docs_uncurated, n_docs_hypernym
    from class_frequency_by_scope
    where scope = 'combined'
)

select
    pivoted.class_id,
    pivoted.display_name,
    pivoted.keep,
    pivoted."drop",
    pivoted.split,
    pivoted.context,
    scoped.n_docs_uncurated as uncurated,
    scoped.n_docs_hypernym as hypernym
from pivoted
join scoped using (class_id)
where greatest(pivoted.keep, pivoted."drop", pivoted.split, pivoted.context)
    > least(pivoted.keep, pivoted."drop", pivoted.split, pivoted.context)
order by greatest(pivoted.keep, pivoted."drop", pivoted.split, pivoted.context)
    - least(pivoted.keep, pivoted."drop", pivoted.split, pivoted.context) desc, pivoted.class_id
limit $limit
