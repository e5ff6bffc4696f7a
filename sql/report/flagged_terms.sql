-- The $limit most mentioned flagged terms, the rules that flag them and their evidence, with the mentions each policy of $policies counts for them; a row
-- per term and policy (the report puts the policies side by side).
with flagged_terms as (
    select term, string_agg(class_id, ' ' order by class_id) as class_ids, max(flags) as flags,
           max(flag_evidence) as flag_evidence, max(n_senses) as n_senses, max(sense_share) as sense_share
    from lexicon
    where flagged
    group by term
),

flagged_mentions as (
    select term, count(*) as n_mentions
    from mentions
    where flagged
    group by term
),

most_mentioned as (
    select flagged_terms.*, coalesce(flagged_mentions.n_mentions, 0) as n_mentions
    from flagged_terms
    left join flagged_mentions using (term)
    order by n_mentions desc, flagged_terms.term
    limit $limit
),

weighted as (
    select term, policy, sum(weight) as mentions
    from mention_weights
    where flagged
    group by term, policy
),

policies as (
    select unnest($policies::varchar[]) as policy
)

select
    most_mentioned.term,
    most_mentioned.class_ids,
    most_mentioned.flags,
    most_mentioned.flag_evidence,
    most_mentioned.n_senses,
    round(most_mentioned.sense_share, 2) as sense_share,
    most_mentioned.n_mentions,
    policies.policy,
    coalesce(weighted.mentions, 0) as mentions
from most_mentioned
cross join policies
left join weighted using (term, policy)
order by most_mentioned.n_mentions desc, most_mentioned.term, policies.policy
