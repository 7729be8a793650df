-- Shared filter macros, loaded once per connection by msprogress/db.py.
-- Every query filters through these, so one filter means the same thing on every page.
-- $f is the struct from msprogress.filters.Filters.as_struct(): lists are empty for "all".

create macro matching_countries(f) as table
    select iso3
    from countries
    where (len(f['countries']) = 0 or list_contains(f['countries'], iso3))
      and (len(f['regions']) = 0 or list_contains(f['regions'], region));

create macro text_matches(f, txt) as
    f['q'] is null or contains(lower(coalesce(txt, '')), lower(f['q']));

create macro year_in_range(f, y) as
    (f['year_from'] is null or y >= f['year_from'])
    and (f['year_to'] is null or y <= f['year_to']);

create macro filtered_trials(f) as table
    select t.*
    from trials as t
    where t.population <> 'Not MS'
      and (not f['progressive_only'] or t.is_progressive)
      and (len(f['gap_areas']) = 0 or list_contains(f['gap_areas'], t.gap_area))
      and (len(f['populations']) = 0 or list_contains(f['populations'], t.population))
      and (len(f['phases']) = 0 or list_contains(f['phases'], t.phase))
      and (len(f['status_groups']) = 0 or list_contains(f['status_groups'], t.status_group))
      and year_in_range(f, year(t.start_date))
      and text_matches(f, t.brief_title || ' ' || coalesce(t.official_title, ''))
      and (
          (len(f['countries']) = 0 and len(f['regions']) = 0)
          or t.trial_id in (
              select tc.trial_id
              from trial_countries as tc
              where tc.iso3 in (select iso3 from matching_countries(f))
          )
      );

create macro filtered_projects(f) as table
    select p.*
    from projects as p
    where p.ms_relevance <> 'Not MS'
      and (not f['progressive_only'] or p.ms_relevance = 'Progressive-specific')
      and (len(f['gap_areas']) = 0 or list_contains(f['gap_areas'], p.gap_area))
      and (len(f['funders']) = 0 or list_contains(f['funders'], p.funder))
      and year_in_range(f, year(p.start_date))
      and text_matches(f, p.title)
      and (
          (len(f['countries']) = 0 and len(f['regions']) = 0)
          or p.iso3 in (select iso3 from matching_countries(f))
      );

create macro filtered_grants(f) as table
    select g.*
    from grants as g
    where g.ms_relevance <> 'Not MS'
      and (not f['progressive_only'] or g.ms_relevance = 'Progressive-specific')
      and (len(f['gap_areas']) = 0 or list_contains(f['gap_areas'], g.gap_area))
      and (len(f['funders']) = 0 or list_contains(f['funders'], g.funder))
      and year_in_range(f, g.year)
      and text_matches(f, g.title)
      and (
          (len(f['countries']) = 0 and len(f['regions']) = 0)
          or g.iso3 in (select iso3 from matching_countries(f))
      );

create macro in_currency(currency, eur, usd, gbp) as
    case currency when 'EUR' then eur when 'USD' then usd when 'GBP' then gbp end;
