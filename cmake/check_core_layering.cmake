# SPDX-License-Identifier: BSL-1.0
# Layering checks, run as CTest tests:
#  MODE=core   (layering.core_has_no_asio): preprocesses every source of the sans-io core and fails if
#              any of them pulls in Asio or Beast, directly or through another header.
#  MODE=public (layering.public_headers_are_light): preprocesses every public header on its own (so
#              each must be self-contained) and fails if one pulls in Beast or OpenSSL.
if(MODE STREQUAL "public")
  file(GLOB sources ${SOURCE_DIR}/include/dynalock/*.hpp)
  set(forbidden "boost/beast|openssl/")
  # Compiled for real (syntax only), so a header that is not self-contained fails; -MD -MF still
  # writes the list of headers it pulled in.
  set(flags -x c++ -fsyntax-only -MD -MF ${CMAKE_CURRENT_BINARY_DIR}/public_header.d)
else()
  file(GLOB_RECURSE sources ${SOURCE_DIR}/lib/core/*.cpp)
  set(forbidden "boost/asio|boost/beast")
  set(flags -M)
endif()
if(NOT sources)
  message(FATAL_ERROR "no sources found for mode '${MODE}' under ${SOURCE_DIR}")
endif()
set(failed "")
foreach(src IN LISTS sources)
  execute_process(COMMAND ${CXX} -std=c++20 ${flags} -I${SOURCE_DIR}/include -I${SOURCE_DIR}/lib ${src}
                  OUTPUT_VARIABLE deps ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${src} does not compile on its own: ${err}")
  endif()
  if(MODE STREQUAL "public")
    file(READ ${CMAKE_CURRENT_BINARY_DIR}/public_header.d deps)
  endif()
  if(deps MATCHES "${forbidden}")
    list(APPEND failed ${src})
  endif()
endforeach()
list(LENGTH sources n)
if(failed)
  message(FATAL_ERROR "these files include what their layer must not (${forbidden}): ${failed}")
endif()
message(STATUS "checked ${n} files: none includes ${forbidden}")
