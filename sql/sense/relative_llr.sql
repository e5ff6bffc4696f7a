-- Each feature's evidence from the relatives (sense/relative_profiles.sql): the log ratio of the shares of the
-- class side's and the other side's relatives' windows that hold it, each plus $relative_floor (so that a rare
-- feature says little), kept within ±$relative_max. Each share is first an m-estimate, smoothed towards the
-- feature's share over both sides by $relative_m pseudo-windows, so that a side seen in a few windows only (a
-- small corpus, a rare relative) says little too. Only for a (class, term) whose both
-- sides have relatives in the corpus.
create or replace table sense_relative_llr as
with sides as (
    select class_id, term,
        max(n_occurrences) filter (where side = 'class') as n_class,
        max(n_occurrences) filter (where side = 'other') as n_other
    from sense_relative_profiles
    group by all
    having count(distinct side) = 2
),

shares as (
    select class_id, term, feature, sides.n_class, sides.n_other,
        coalesce(max(share) filter (where side = 'class'), 0) as share_class,
        coalesce(max(share) filter (where side = 'other'), 0) as share_other
    from sense_relative_profiles
    join sides using (class_id, term)
    group by all
),

pooled as (
    select *, (share_class * n_class + share_other * n_other) / (n_class + n_other) as share_both
    from shares
)

select class_id, term, feature, share_class, share_other,
    greatest(least(
        ln((share_class * n_class + $relative_m * share_both) / (n_class + $relative_m) + $relative_floor)
        - ln((share_other * n_other + $relative_m * share_both) / (n_other + $relative_m) + $relative_floor),
        $relative_max), -$relative_max) as llr
from pooled
