"""The small shared core every app stands on: config, db, storage, images, jobs, models, web."""
