-- Each model's points (class frequency and accuracy) over all text.
select *
from correlated_points
where scope = 'combined'
