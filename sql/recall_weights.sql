-- Per half and policy, on the recall set (captions in the working table recall_captions, the classes each
-- names in recall_classes): how many of the named classes each policy counts (recall), and how much of what
-- it counts in those captions they name (precision).
with captions as (
    select doc_id, half
    from recall_captions
),

named as (
    select doc_id, class_id
    from recall_classes
),

weights as (
    select doc_id, class_id, policy, max(weight) as weight
    from mention_weights
    where doc_id in (select doc_id from captions)
    group by doc_id, class_id, policy
),

policies as (
    select unnest($policies::varchar[]) as policy
),

found as (
    select captions.half, policies.policy, count(*) as n_named, sum(coalesce(weights.weight, 0)) as found
    from named
    join captions using (doc_id)
    cross join policies
    left join weights using (doc_id, class_id, policy)
    group by captions.half, policies.policy
),

counted as (
    select
        captions.half,
        weights.policy,
        sum(weights.weight) as counted,
        coalesce(sum(weights.weight) filter (where named.class_id is not null), 0) as counted_named
    from weights
    join captions using (doc_id)
    left join named using (doc_id, class_id)
    group by captions.half, weights.policy
),

caption_counts as (
    select half, count(*) as n_captions
    from captions
    group by half
)

select
    caption_counts.half,
    policies.policy,
    caption_counts.n_captions,
    coalesce(found.n_named, 0) as n_named,
    coalesce(found.found, 0)::double as found,
    coalesce(counted.counted, 0)::double as counted,
    found.found / nullif(found.n_named, 0) as recall,
    counted.counted_named / nullif(counted.counted, 0) as precision
from caption_counts
cross join policies
left join found using (half, policy)
left join counted using (half, policy)
order by caption_counts.half, policies.policy
