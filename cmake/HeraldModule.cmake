# herald_module(NAME SOURCES ... DEPS ...): one static library per folder,
# named herald_NAME, with src/ on the include path ("herald/NAME/x.hpp").
function(herald_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS" ${ARGN})
  add_library(herald_${name} STATIC ${M_SOURCES})
  target_include_directories(herald_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(herald_${name} PUBLIC ${M_DEPS})
endfunction()

# herald_test(NAME SOURCES ... DEPS ...): a gtest executable registered with CTest.
function(herald_test name)
  if(NOT HERALD_TESTS OR HERALD_FUZZ)
    return()
  endif()
  cmake_parse_arguments(T "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_DEPS} GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30)
endfunction()

# herald_fuzzer(NAME SOURCE DEPS ...): a libFuzzer target, only in the fuzz preset.
function(herald_fuzzer name source)
  if(NOT HERALD_FUZZ)
    return()
  endif()
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE ${ARGN})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
endfunction()
