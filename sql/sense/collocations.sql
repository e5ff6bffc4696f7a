-- sense model round, step 2 (see sense/term_priors.sql): each feature's log-likelihood ratio of the class sense,
-- from how often it occurs in the (class, term)'s mentions labelled class and other, m-estimates smoothed towards
-- the feature's rate over all its labelled mentions ($m pseudo-mentions), so that a feature as common under both
-- labels (a, man, wearing) says nothing, whatever the share of each label; seeds add $seed_weight
-- pseudo-mentions to their side. A feature seen fewer than $min_support times (pseudo-mentions included) is no
-- collocation; the ratio is kept within ±$max_llr.
create or replace table sense_collocations as
with labelled as (
    select sense_features.class_id, sense_features.term, sense_features.feature, sense_labels.label
    from sense_features
    join sense_labels using (doc_id, start, class_id, term)
),

totals as (
    select class_id, term, count(*) filter (where label) as total_class, count(*) filter (where not label) as total_other
    from sense_labels
    group by all
),

observed as (
    select class_id, term, feature, count(*) filter (where label) as n_class, count(*) filter (where not label) as n_other
    from labelled
    group by all
),

counts as (
    select
        class_id,
        term,
        feature,
        coalesce(observed.n_class, 0) + case when sense_seeds.side = 'class' then $seed_weight else 0 end as n_class,
        coalesce(observed.n_other, 0) + case when sense_seeds.side = 'other' then $seed_weight else 0 end as n_other
    from observed
    full join (
        select class_id, term, feature, side from sense_seeds
        where feature not in (select feature from sense_generic_features)
    ) as sense_seeds using (class_id, term, feature)
),

rated as (
    select
        counts.*,
        totals.total_class + $seed_weight as total_class,
        totals.total_other + $seed_weight as total_other,
        (counts.n_class + counts.n_other) / (totals.total_class + totals.total_other + 2 * $seed_weight) as rate
    from counts
    join totals using (class_id, term)
)

select
    class_id,
    term,
    feature,
    n_class,
    n_other,
    greatest(least(
        ln((n_class + $m * rate) / (total_class + $m)) - ln((n_other + $m * rate) / (total_other + $m)),
        $max_llr), -$max_llr) as llr
from rated
where n_class + n_other >= $min_support
