-- Staff roles for disputes: mediators and experts, made by an admin (SetStaffRole).
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('client', 'freelancer', 'admin', 'mediator', 'expert'));
