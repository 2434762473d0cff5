// The folio program. `folio tour` builds the seed database and walks its
// relationships.
#include <cstring>
#include <iostream>

#include "folio/report.h"
#include "folio/seed.h"

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "tour") == 0) {
    folio::write_relationships(folio::seed_database(), std::cout);
    return 0;
  }
  std::cerr << "usage: folio tour\n";
  return 2;
}
