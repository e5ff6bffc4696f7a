-- Each feature's evidence from the relatives (sense/relative_profiles.sql): the log ratio of the shares of the
-- class side's and the other side's relatives' windows that hold it, each smoothed by $relative_floor, kept within
-- ±$relative_max. Only for a (class, term) whose both sides have relatives in the corpus.
create or replace table sense_relative_llr as
with sides as (
    select class_id, term
    from sense_relative_profiles
    group by all
    having count(distinct side) = 2
),

shares as (
    select class_id, term, feature,
        coalesce(max(share) filter (where side = 'class'), 0) as share_class,
        coalesce(max(share) filter (where side = 'other'), 0) as share_other
    from sense_relative_profiles
    join sides using (class_id, term)
    group by all
)

select class_id, term, feature, share_class, share_other,
    greatest(least(ln((share_class + $relative_floor) / (share_other + $relative_floor)), $relative_max), -$relative_max)
        as llr
from shares
