# Shared CMake helpers for the marketplace tree.

# Warnings as errors for the project's own code (generated code is exempt).
function(marketplace_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror -Wno-missing-field-initializers)
endfunction()

# Where the local stack keeps its state; tests and tools read it from the environment.
set(MARKETPLACE_STATE_DIR "${CMAKE_SOURCE_DIR}/.state" CACHE PATH "Local stack state folder")

# marketplace_add_test(NAME <name> SOURCES <files...> LIBS <targets...> LABELS <labels...> [TIMEOUT <s>])
# One Catch2 binary registered as one CTest test, labelled by tier (unit, pg, kafka, e2e, chaos).
function(marketplace_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE marketplace_catch_main ${T_LIBS})
  marketplace_warnings(${T_NAME})
  add_test(NAME ${T_NAME} COMMAND ${T_NAME} --order rand --warn NoAssertions)
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES
    LABELS "${T_LABELS}"
    TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "MARKETPLACE_STATE_DIR=${MARKETPLACE_STATE_DIR};LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/cmake/lsan.supp")
endfunction()

# marketplace_embed_sql(<target> <component> <dir>)
# Compiles every V###__name.sql under <dir> into <target>. The target (and what links it) gets
# the header "<component>_migrations.hpp" declaring marketplace::migrations::<component>(),
# which returns the files in order, ready for marketplace::db::MigrationRunner.
function(marketplace_embed_sql target component dir)
  file(GLOB sql_files CONFIGURE_DEPENDS "${dir}/V*__*.sql")
  list(SORT sql_files)
  set(gen "${CMAKE_CURRENT_BINARY_DIR}/generated")
  set(body "// Generated from ${dir}; do not edit.\n#include \"${component}_migrations.hpp\"\n\nnamespace marketplace::migrations {\n")
  set(entries "")
  set(i 0)
  foreach(f IN LISTS sql_files)
    get_filename_component(fname "${f}" NAME)
    file(READ "${f}" content)
    string(APPEND body "static const char kSql${i}[] = R\"mpsql(${content})mpsql\";\n")
    string(APPEND entries "        {\"${fname}\", kSql${i}},\n")
    math(EXPR i "${i} + 1")
  endforeach()
  string(APPEND body "\nstd::vector<db::MigrationFile> ${component}() {\n    return {\n${entries}    };\n}\n\n}  // namespace marketplace::migrations\n")
  file(CONFIGURE OUTPUT "${gen}/${component}_migrations.cpp" CONTENT "${body}")
  file(CONFIGURE OUTPUT "${gen}/${component}_migrations.hpp" CONTENT
    "// Generated; do not edit.\n#pragma once\n#include <vector>\n\n#include \"marketplace/db/migration_runner.hpp\"\n\nnamespace marketplace::migrations {\n/// The ${component} migrations, in version order.\nstd::vector<db::MigrationFile> ${component}();\n}  // namespace marketplace::migrations\n")
  target_sources(${target} PRIVATE "${gen}/${component}_migrations.cpp")
  target_include_directories(${target} PUBLIC "${gen}")
endfunction()

# `cmake --build build --target lint`: clang-format check of the project's own sources.
file(GLOB_RECURSE MARKETPLACE_LINT_SOURCES CONFIGURE_DEPENDS
  ${CMAKE_SOURCE_DIR}/libs/*.cpp ${CMAKE_SOURCE_DIR}/libs/*.hpp
  ${CMAKE_SOURCE_DIR}/services/*.cpp ${CMAKE_SOURCE_DIR}/services/*.hpp
  ${CMAKE_SOURCE_DIR}/deploy/*.cpp ${CMAKE_SOURCE_DIR}/deploy/*.hpp
  ${CMAKE_SOURCE_DIR}/tests/*.cpp ${CMAKE_SOURCE_DIR}/tests/*.hpp)
add_custom_target(lint
  COMMAND clang-format --dry-run --Werror ${MARKETPLACE_LINT_SOURCES}
  COMMENT "clang-format check"
  VERBATIM)

# marketplace_add_service(NAME <name> [LIBS <targets...>] [PRIVATE_LIBS <targets...>]
#                         [DOMAIN_LIBS <targets...>] [PROTO_DEPS <targets...>] [EXCLUDE <files...>])
# A service folder in the kit's shape (libs/service/include/marketplace/service/kit.hpp):
#   marketplace_<package>_proto  when the folder has proto/marketplace/<package>/v1/*.proto: one static
#                              library per proto package, compiled once (proto/CMakeLists.txt), linking
#                              marketplace_common_proto and PROTO_DEPS; each package must be named in
#                              the service's protos column of services/registry.tsv;
#   marketplace_<name>_domain  static library of src/domain/*.cpp (when there are any): the pure rules,
#                              linking marketplace_core and DOMAIN_LIBS, so unit tests link little else;
#   marketplace_<name>_lib     object library of every other src/**/*.cpp but main.cpp and EXCLUDE, with
#                              migrations/V*.sql embedded (<name>_migrations.hpp); links the domain, the
#                              runtime, the kit and LIBS publicly, PRIVATE_LIBS privately;
#   <name>_service             the executable marketplace-<name> from src/main.cpp.
# The service's tests link marketplace_<name>_lib.
function(marketplace_add_service)
  cmake_parse_arguments(S "" "NAME" "LIBS;PRIVATE_LIBS;DOMAIN_LIBS;PROTO_DEPS;EXCLUDE" ${ARGN})
  set(dir ${CMAKE_CURRENT_SOURCE_DIR})
  set(own_protos "")
  if(EXISTS ${dir}/proto)
    file(GLOB_RECURSE proto_files CONFIGURE_DEPENDS RELATIVE ${dir}/proto ${dir}/proto/*.proto)
    list(SORT proto_files)
    set(proto_dirs "")
    foreach(f IN LISTS proto_files)
      get_filename_component(d ${f} DIRECTORY)
      list(APPEND proto_dirs ${d})
    endforeach()
    list(REMOVE_DUPLICATES proto_dirs)
    foreach(d IN LISTS proto_dirs)
      if(NOT d MATCHES "^marketplace/([a-z][a-z0-9]*)/v1$")
        message(FATAL_ERROR "services/${S_NAME}/proto/${d}: protos go in proto/marketplace/<package>/v1")
      endif()
      set(package ${CMAKE_MATCH_1})
      if(NOT package IN_LIST MARKETPLACE_SERVICE_${S_NAME}_PROTOS)
        message(FATAL_ERROR "services/${S_NAME}/proto/${d}: the package '${package}' is not in ${S_NAME}'s protos column of services/registry.tsv")
      endif()
      set(package_files ${proto_files})
      list(FILTER package_files INCLUDE REGEX "^${d}/[^/]+\\.proto$")
      marketplace_proto_library(marketplace_${package}_proto ROOT ${dir}/proto PROTOS ${package_files}
        DEPS marketplace_common_proto ${S_PROTO_DEPS})
      list(APPEND own_protos marketplace_${package}_proto)
    endforeach()
  endif()
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${dir}/src/*.cpp)
  list(REMOVE_ITEM sources ${dir}/src/main.cpp)
  foreach(f IN LISTS S_EXCLUDE)
    list(REMOVE_ITEM sources ${dir}/${f})
  endforeach()
  file(GLOB domain_sources CONFIGURE_DEPENDS ${dir}/src/domain/*.cpp)
  set(domain_lib "")
  if(domain_sources)
    list(REMOVE_ITEM sources ${domain_sources})
    set(domain_lib marketplace_${S_NAME}_domain)
    add_library(${domain_lib} STATIC ${domain_sources})
    target_include_directories(${domain_lib} PUBLIC ${dir}/src)
    target_link_libraries(${domain_lib} PUBLIC marketplace_core ${S_DOMAIN_LIBS})
    marketplace_warnings(${domain_lib})
  endif()
  add_library(marketplace_${S_NAME}_lib OBJECT ${sources})
  target_include_directories(marketplace_${S_NAME}_lib PUBLIC ${dir}/src)
  target_link_libraries(marketplace_${S_NAME}_lib
    PUBLIC ${domain_lib} marketplace_service marketplace_service_kit marketplace_wire ${own_protos} ${S_LIBS}
    PRIVATE ${S_PRIVATE_LIBS})
  marketplace_warnings(marketplace_${S_NAME}_lib)
  if(EXISTS ${dir}/migrations)
    marketplace_embed_sql(marketplace_${S_NAME}_lib ${S_NAME} ${dir}/migrations)
  endif()
  add_executable(${S_NAME}_service ${dir}/src/main.cpp)
  set_target_properties(${S_NAME}_service PROPERTIES OUTPUT_NAME marketplace-${S_NAME})
  target_link_libraries(${S_NAME}_service PRIVATE marketplace_${S_NAME}_lib ${S_PRIVATE_LIBS})
  marketplace_warnings(${S_NAME}_service)
endfunction()

# The service registry (services/registry.tsv): one row per service. Sets, for the whole tree,
#   MARKETPLACE_SERVICES                  the services in the table's order
#   MARKETPLACE_SERVICE_<name>_GRPC       its default gRPC port; _METRICS its metrics port
#   MARKETPLACE_SERVICE_<name>_PROTOS     its proto packages; _CONSUMES the services it reads events of;
#                                         _CALLS the services it calls (;-lists)
#   MARKETPLACE_SERVICE_<name>_GATEWAY    ON when the gateway routes it; _DEPLOY ON when it is shipped
#   MARKETPLACE_GATEWAY_SERVICES          the services the gateway routes, in the table's order
# A malformed row stops the configuration with the row's line number and what is wrong in it.
set(MARKETPLACE_REGISTRY "${CMAKE_SOURCE_DIR}/services/registry.tsv")
function(marketplace_read_registry)
  set_property(DIRECTORY "${CMAKE_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${MARKETPLACE_REGISTRY}")
  file(STRINGS "${MARKETPLACE_REGISTRY}" lines)
  set(services "")
  set(gateway_services "")
  set(ports "")
  set(consumed "")
  set(n 0)
  foreach(line IN LISTS lines)
    math(EXPR n "${n} + 1")
    if(line MATCHES "^[ \t]*(#|$)")
      continue()
    endif()
    string(REGEX REPLACE "[ \t]+" ";" cols "${line}")
    list(LENGTH cols ncols)
    set(where "services/registry.tsv:${n}")
    if(NOT ncols EQUAL 8)
      message(FATAL_ERROR "${where}: ${ncols} columns, expected 8 (service grpc metrics protos consumes calls gateway deploy)")
    endif()
    list(GET cols 0 name)
    list(GET cols 1 grpc)
    list(GET cols 2 metrics)
    list(GET cols 3 protos)
    list(GET cols 4 consumes)
    list(GET cols 5 calls)
    list(GET cols 6 gateway)
    list(GET cols 7 deploy)
    if(NOT name MATCHES "^[a-z][a-z0-9]*$")
      message(FATAL_ERROR "${where}: service '${name}' must be lowercase letters and digits")
    endif()
    if(name IN_LIST services)
      message(FATAL_ERROR "${where}: service '${name}' has a second row")
    endif()
    if(NOT grpc MATCHES "^7[0-9][0-9][0-9]$")
      message(FATAL_ERROR "${where}: ${name}: grpc port '${grpc}' is not within 7000..7999")
    endif()
    math(EXPR expected_metrics "9100 + ${grpc} - 7100")
    if(NOT metrics STREQUAL expected_metrics)
      message(FATAL_ERROR "${where}: ${name}: metrics port '${metrics}', expected ${expected_metrics} (9100 + grpc - 7100, the kit's default)")
    endif()
    if(grpc IN_LIST ports)
      message(FATAL_ERROR "${where}: ${name}: grpc port ${grpc} is already another service's")
    endif()
    foreach(flag gateway deploy)
      if(NOT ${flag} MATCHES "^(yes|no)$")
        message(FATAL_ERROR "${where}: ${name}: ${flag} must be yes or no, got '${${flag}}'")
      endif()
    endforeach()
    foreach(col protos consumes calls)
      if(${col} STREQUAL "-")
        set(${col} "")
      else()
        string(REPLACE "," ";" ${col} "${${col}}")
      endif()
    endforeach()
    list(APPEND consumed ${consumes} ${calls})
    list(APPEND services ${name})
    list(APPEND ports ${grpc})
    set(MARKETPLACE_SERVICE_${name}_GRPC ${grpc} PARENT_SCOPE)
    set(MARKETPLACE_SERVICE_${name}_METRICS ${metrics} PARENT_SCOPE)
    set(MARKETPLACE_SERVICE_${name}_PROTOS "${protos}" PARENT_SCOPE)
    set(MARKETPLACE_SERVICE_${name}_CONSUMES "${consumes}" PARENT_SCOPE)
    set(MARKETPLACE_SERVICE_${name}_CALLS "${calls}" PARENT_SCOPE)
    if(gateway STREQUAL "yes")
      set(MARKETPLACE_SERVICE_${name}_GATEWAY ON PARENT_SCOPE)
      list(APPEND gateway_services ${name})
    else()
      set(MARKETPLACE_SERVICE_${name}_GATEWAY OFF PARENT_SCOPE)
    endif()
    if(deploy STREQUAL "yes")
      set(MARKETPLACE_SERVICE_${name}_DEPLOY ON PARENT_SCOPE)
    else()
      set(MARKETPLACE_SERVICE_${name}_DEPLOY OFF PARENT_SCOPE)
    endif()
  endforeach()
  foreach(other IN LISTS consumed)
    if(NOT other IN_LIST services)
      message(FATAL_ERROR "services/registry.tsv: '${other}' is consumed or called but has no row")
    endif()
  endforeach()
  set(MARKETPLACE_SERVICES "${services}" PARENT_SCOPE)
  set(MARKETPLACE_GATEWAY_SERVICES "${gateway_services}" PARENT_SCOPE)
endfunction()
marketplace_read_registry()
