-- A member's clans, for listing the contracts of every clan they belong to.
CREATE INDEX clan_roster_by_user ON clan_roster (user_id) WHERE role <> '';
