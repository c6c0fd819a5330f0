-- Files shared in rooms. The bytes live in the blob store (libs/blob) under `blob_key`; this row is
-- what the service knows about them. A room's row is locked (FOR UPDATE) while a file is added, so
-- the per-room limits on count and bytes hold under concurrent uploads.
CREATE TABLE files (
    id           uuid        PRIMARY KEY,
    room_id      uuid        NOT NULL REFERENCES rooms (id),
    uploader_id  text        NOT NULL CHECK (length(uploader_id) BETWEEN 1 AND 64),
    filename     text        NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    content_type text        NOT NULL CHECK (length(content_type) BETWEEN 1 AND 255),
    size_bytes   bigint      NOT NULL CHECK (size_bytes > 0),
    sha256       text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    blob_key     text        NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL
);
CREATE INDEX files_room ON files (room_id, created_at DESC);
