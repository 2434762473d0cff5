// folio: an embedded in-memory data engine for the tables of a Django app.
// Include this header for the whole API; the headers it includes are the
// manual, one concept each (see README.md for a guide).
#pragma once

#include "folio/database.h"         // BasicDatabase: tables, the write path, transactions
#include "folio/datetime.h"         // DateTime: UTC microseconds
#include "folio/decimal.h"          // Decimal: exact, as written
#include "folio/error.h"            // Error and its kinds
#include "folio/interchange.h"      // fixtures, CSV, SQL and tables, in and out
#include "folio/model.h"            // how a model is declared
#include "folio/models.h"           // Author, AuthorProfile, Book, Database
#include "folio/rules.h"            // Django's field rules
#include "folio/seed.h"             // the seed rows
#include "folio/shared_database.h"  // many readers, one writer
#include "folio/table.h"            // Table, Rows, Range
#include "folio/validators.h"       // email, URL, UTF-8
