-- Every class whose count (text units, all text) the run's policy ($policy) cuts by more than half against
-- the raw count (policy keep), the largest cuts first: the classes to look at before trusting a correlation.
create or replace table policy_cuts as
with combined as (
    select class_id, class_index, display_name, policy, n_docs
    from class_frequency_by_policy
    where scope = 'combined'
),

raw as (
    select class_id, n_docs as keep_docs
    from combined
    where policy = 'keep'
),

chosen as (
    select class_id, class_index, display_name, n_docs as policy_docs
    from combined
    where policy = $policy
)

select
    chosen.class_id,
    chosen.class_index,
    chosen.display_name,
    $policy::varchar as policy,
    raw.keep_docs,
    chosen.policy_docs,
    chosen.policy_docs / raw.keep_docs as kept_share
from chosen
join raw using (class_id)
where raw.keep_docs > 0 and chosen.policy_docs < 0.5 * raw.keep_docs
order by raw.keep_docs - chosen.policy_docs desc, chosen.class_index
